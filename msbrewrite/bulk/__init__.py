"""Many Dockerfiles at once: discovery under roots, the parallel runner, and reading and writing
files safely (atomic writes, patches).

May import: msbrewrite.core and everything below it; never msbrewrite.verify or msbrewrite.cli.
"""
