import os, sys  # node.py with one injected bug (default stale-read): python3 node_buggy.py [--bug NAME]
args = sys.argv[1:] or ["--bug", "stale-read"]
os.execv(sys.executable, [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "node.py")] + args)
