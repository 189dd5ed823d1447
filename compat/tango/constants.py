"""``tango.constants`` on puretango: the named constants of :mod:`puretango.constants`."""

from puretango.constants import *  # noqa: F403
