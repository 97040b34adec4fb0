"""Packages a Node server loads at run time, followed from its entry file through the context."""
from __future__ import annotations

from msbrewrite.model.context import Context
from msbrewrite.languages.node.imports import node_args, package_of, packages_loaded, preloads


def test_package_names_of_specifiers():
    assert package_of("express") == "express"
    assert package_of("lodash/merge") == "lodash"
    assert package_of("@aws-sdk/client-s3/dist") == "@aws-sdk/client-s3"
    assert [package_of(s) for s in ("./db", "/abs/x", "node:fs", "fs", "path", "child_process")] == [None] * 6


def test_preloaded_modules():
    assert preloads(["-r", "dotenv/config", "--require=./tracing.js", "--import", "tsx", "server.js"]) == \
        ["dotenv/config", "./tracing.js", "tsx"]


def test_node_arguments_split_into_preloads_and_the_entry():
    assert node_args(["--experimental-loader", "ts-node/esm", "--inspect", "src/main.mjs", "--port", "80"]) == \
        (["ts-node/esm"], "src/main.mjs")
    assert node_args(["-r", "dotenv/config", "--require=./otel.js", "index.js"]) == (["dotenv/config", "./otel.js"], "index.js")
    assert node_args(["--version"]) == ([], None)


def test_requires_and_imports_followed_from_the_entry(tmp_path):
    (tmp_path / "src" / "db").mkdir(parents=True)
    (tmp_path / "server.mjs").write_text(
        "import express from 'express';\nimport { pool } from './src/db/index.js';\n"
        "import type { Request } from 'express-serve-static-core';\n// import nothing from 'commented-out'\n"
        "const later = await import('compression');\nexport { x } from './src/reexport';\n")
    (tmp_path / "src" / "db" / "index.js").write_text("const { Pool } = require('pg');\nrequire('./cycle')\n")
    (tmp_path / "src" / "db" / "cycle.js").write_text("require('./index'); require(\"@scope/pkg/sub\");\n")
    (tmp_path / "src" / "reexport.ts").write_text("export const x = require('uuid').v4;\n")
    (tmp_path / "unused.js").write_text("require('never-loaded')\n")
    found = packages_loaded(Context(tmp_path), "server.mjs")
    assert found == {"express": "server.mjs", "compression": "server.mjs", "pg": "src/db/index.js",
                     "@scope/pkg": "src/db/cycle.js", "uuid": "src/reexport.ts"}


def test_an_entry_that_the_build_makes_is_not_followed(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.ts").write_text("import 'reflect-metadata';\n")
    assert packages_loaded(Context(tmp_path), "dist/main.js") == {}
    assert packages_loaded(Context(None), "server.js") == {}
