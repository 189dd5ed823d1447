"""``python -m puretango.tangotest INSTANCE -nodb -port P -dlist sys/tg_test/1``."""

from . import main

if __name__ == "__main__":
    main()
