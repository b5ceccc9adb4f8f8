"""selfeval-xlsx: check, correct and generate 绩效自评表 workbooks."""

__version__ = "0.1.0"
