"""selfeval-xlsx: check, correct and generate 绩效自评表 workbooks."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # ``selfeval_xlsx.read_frames``: imported on first use, so the command
    # line does not pay for pandas when it does not need it
    if name == "read_frames":
        from selfeval_xlsx.export import read_frames

        return read_frames
    raise AttributeError(f"module 'selfeval_xlsx' has no attribute {name!r}")
