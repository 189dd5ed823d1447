"""The bench device's sizes and values, shared by its three servers (``benchdev.py``,
``benchdev_async.py``, ``benchdev_pure.py``) and by ``bench_server.py``'s value checks.

Imports neither PyTango nor puretango (and numpy only when a value is built), so every
server process, and the benchmark's parent, can use it.
"""

SPECTRUM_LEN = 1 << 20  # float64 elements: 8 MiB
IMAGE_SHAPE = (512, 512)  # float64: 2 MiB


def spectrum_data():
    """``arange(SPECTRUM_LEN)`` as float64: the ``spectrum`` attribute's value."""
    import numpy as np

    return np.arange(SPECTRUM_LEN, dtype=np.float64)


def image_data():
    """``arange(512 * 512)`` as float64, reshaped to ``IMAGE_SHAPE``: the ``image`` value."""
    import numpy as np

    return np.arange(IMAGE_SHAPE[0] * IMAGE_SHAPE[1], dtype=np.float64).reshape(IMAGE_SHAPE)
