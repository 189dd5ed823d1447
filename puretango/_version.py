"""The version of puretango, declared once: read by ``pyproject.toml`` (setuptools'
dynamic version), the package root and the servers' ``info()`` reply."""

__version__ = "0.1.0"
