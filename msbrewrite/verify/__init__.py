"""`msb verify`: the engine client, building and running both images, probes, crawling, routes,
logs, files, the behaviour oracle and its report.

May import: msbrewrite.core and everything below it; never msbrewrite.bulk or msbrewrite.cli.
"""
