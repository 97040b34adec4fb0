"""Bun and Deno: they beat Node on their own images; compile only when it is safe; flags kept."""
from __future__ import annotations

import json

from msbrewrite import convert

BUN = "FROM oven/bun:1\nWORKDIR /app\nCOPY package.json ./\nRUN bun install\nCOPY . .\nCMD [\"bun\", \"run\", \"index.ts\"]\n"


def _context(tmp_path, source: str, deps: dict | None = None):
    (tmp_path / "package.json").write_text(json.dumps({"name": "x", "dependencies": deps or {}}))
    (tmp_path / "index.ts").write_text(source)
    return tmp_path


def test_bun_beats_node_on_its_image():
    assert convert(BUN).language == "bun"


def test_node_image_with_bun_stays_node():
    r = convert("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n")
    assert r.language == "node"


def test_bun_compiles_plain_entry(tmp_path):
    r = convert(BUN, _context(tmp_path, 'Bun.serve({ fetch: () => new Response("hi") });\n'))
    assert "bun build --compile index.ts --outfile /tmp/msb-bun/index" in r.text
    assert r.runtime_base.startswith("gcr.io/distroless/base-debian12")
    assert 'CMD ["/usr/local/bin/index"]' in r.text


def test_bun_location_marker_keeps_bun_runtime(tmp_path):
    r = convert(BUN, _context(tmp_path, 'Bun.file(import.meta.dir + "/x.txt");\n'))
    assert "--compile" not in r.text and r.runtime_base == "oven/bun:1-slim"
    assert "bun install --production" in r.text


def test_bun_native_dependency_keeps_bun_runtime(tmp_path):
    r = convert(BUN, _context(tmp_path, "import sharp from 'sharp';\n", {"sharp": "0.33.0"}))
    assert "--compile" not in r.text


def test_bun_without_context_is_slim():
    r = convert(BUN)
    assert r.runtime_base == "oven/bun:1-slim" and "rm -rf node_modules && bun install --production" in r.text


DENO = ("FROM denoland/deno:2\nWORKDIR /app\nCOPY . .\nRUN deno cache main.ts\n"
        "CMD [\"run\", \"--allow-net=:8000\", \"--allow-read=./data\", \"main.ts\"]\n")


def test_deno_flags_kept_exactly_with_image_entrypoint():
    r = convert(DENO)
    assert r.language == "deno"
    assert 'ENTRYPOINT ["/tini", "--", "/usr/bin/deno"]' in r.text
    assert 'CMD ["run", "--allow-net=:8000", "--allow-read=./data", "main.ts"]' in r.text
    assert "COPY --from=builder --chown=65532:65532 /deno-dir /deno-dir" in r.text


def test_deno_explicit_entrypoint_gets_binary_path():
    r = convert(DENO.replace('CMD ["run"', 'ENTRYPOINT ["deno", "run"'))
    assert 'ENTRYPOINT ["/usr/bin/deno", "run", "--allow-net=:8000"' in r.text
    assert "/tini" not in r.text


def test_deno_shell_command_keeps_image():
    r = convert(DENO.replace('CMD ["run", "--allow-net=:8000", "--allow-read=./data", "main.ts"]',
                             "CMD deno run -A main.ts > /tmp/log 2>&1"))
    assert r.runtime_base == "denoland/deno:2"


def test_deno_compile_binary_alone():
    r = convert("FROM denoland/deno:2\nWORKDIR /app\nCOPY . .\n"
                "RUN deno compile --allow-net -o server main.ts\nCMD [\"./server\"]\n")
    assert "COPY --from=builder /app/server /app/server" in r.text and "/usr/bin/deno" not in r.text
