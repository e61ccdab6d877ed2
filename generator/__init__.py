"""briefings: a static site generator for geopolitical briefings."""

__version__ = "0.1.0"

# before any module of the package makes a dataclass: their methods' code is kept between processes
from generator.core import dataclass_code as _dataclass_code

_dataclass_code.install()
