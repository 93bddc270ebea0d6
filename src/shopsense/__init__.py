"""shopsense: e-commerce search and recommendation with a data-quality gate.

The package is laid out in layers (see DESIGN.md in the shared notes); a package
may import only the packages below it.
"""

__version__ = "0.1.0"
