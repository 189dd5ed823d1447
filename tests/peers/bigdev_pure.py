"""``bigdev.py``'s ``BigDev`` served by ``puretango.server`` (same command line)."""

from bigdev import make_device

import puretango.server

if __name__ == "__main__":
    make_device(puretango.server).run_server()
