"""msb: rewrite single-stage Dockerfiles into correct multi-stage ones.

    from msbrewrite import convert
    result = convert(open("Dockerfile").read(), context_dir=".")
    if result.status == "converted":
        print(result.text)
"""
from msbrewrite.core.convert import convert, detect
from msbrewrite.model.options import Options
from msbrewrite.model.plan import Result

__all__ = ["convert", "detect", "Options", "Result"]


def __getattr__(name: str):
    # the version comes from the installed package's metadata, read only when asked for
    if name == "__version__":
        from msbrewrite.support.version import version
        return version()
    raise AttributeError(name)
