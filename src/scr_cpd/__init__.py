"""scr-cpd: learn from serious case reviews, keep a CPD log a supervisor can trust."""

__version__ = "0.1.0"
