"""Sasom (สะสม): membership and loyalty points for shops and chains."""

__version__ = "0.1.0"
