"""What a cargo command builds: the binary names Cargo.toml declares or implies (the package,
[[bin]] tables, src/bin, workspace members and default-members, -p and --bin) and the directory
cargo writes them to (target dir, target triple, profile)."""
from __future__ import annotations

import glob as globlib
import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import Refusal
from msbrewrite.model.shell import Command, option_value, resolve
from msbrewrite.languages.common import load_toml
from msbrewrite.languages.rust.detect import MUSL_IMAGES
from msbrewrite.languages.rust.manifest import manifest_problem


class CargoTargets:
    """Cargo's target rules over the manifests of the build context."""

    def __init__(self, facts: StageFacts):
        self.facts = facts

    def manifest(self, builder_dir: str) -> dict:
        rel = self.facts.context_path(posixpath.join(builder_dir, "Cargo.toml"))
        text = self.facts.context.read(rel) if rel is not None else None
        if text is None and builder_dir == self.facts.workdir:
            rel, text = "Cargo.toml", self.facts.context.read("Cargo.toml")
        data = load_toml(text)
        why = manifest_problem(data)
        if why:
            raise Refusal(f"{rel}: {why} (cargo rejects this manifest too)", code=3, reason="bad-manifest")
        return data

    def manifest_dir(self, c: Command) -> str:
        path = option_value(c.argv, "--manifest-path")
        return posixpath.dirname(resolve(path, c.cwd)) if path else c.cwd

    def package_bins(self, builder_dir: str, manifest: dict) -> tuple[list[str], str | None]:
        """Binary names of one package and its default-run, following Cargo's target rules."""
        pkg = manifest.get("package", {}) if isinstance(manifest.get("package"), dict) else {}
        name = pkg.get("name")
        autobins = pkg.get("autobins", True) is not False
        tables = [b for b in manifest.get("bin", []) if isinstance(b, dict) and b.get("name")]
        names = [b["name"] for b in tables]
        # a [[bin]] table takes over the file it points at: no second, inferred binary for it
        claimed = {posixpath.normpath(b.get("path") or ("src/main.rs" if b["name"] == name
                                                        else f"src/bin/{b['name']}.rs")) for b in tables}
        rel = self.facts.context_path(builder_dir)
        ctx = self.facts.context
        if rel is not None and ctx:
            src_bin = posixpath.join(rel, "src/bin")
            for entry in ctx.listdir(src_bin) if autobins else []:
                if entry.endswith(".rs") and f"src/bin/{entry}" not in claimed:
                    names.append(entry[:-3])
                elif ctx.exists(posixpath.join(src_bin, entry, "main.rs")) and \
                        f"src/bin/{entry}/main.rs" not in claimed:
                    names.append(entry)
            has_main = ctx.exists(posixpath.join(rel, "src/main.rs"))
        else:
            has_main = not tables
        if name and has_main and autobins and "src/main.rs" not in claimed:
            names.insert(0, name)
        return list(dict.fromkeys(n for n in names if n)), pkg.get("default-run")

    def workspace_members(self, builder_dir: str, manifest: dict, default_only: bool = False) -> list[tuple[str, dict]]:
        """(builder dir, manifest) of the workspace members; `default-members` when asked and present."""
        ws = manifest.get("workspace") if isinstance(manifest.get("workspace"), dict) else {}
        patterns = (default_only and ws.get("default-members")) or ws.get("members", [])
        rel_root = self.facts.context_path(builder_dir)
        if rel_root is None or not self.facts.context:
            return []
        out = []
        for pattern in patterns:
            for rel in sorted(globlib.glob(pattern, root_dir=str(self.facts.context.root / rel_root))):
                member_dir = posixpath.join(builder_dir, rel)
                m = self.manifest(member_dir)
                if isinstance(m.get("package"), dict):
                    out.append((member_dir, m))
        return out

    def workspace_member(self, builder_dir: str, manifest: dict, package: str) -> tuple[str, dict] | None:
        return next(((d, m) for d, m in self.workspace_members(builder_dir, manifest)
                     if m["package"].get("name") == package), None)

    def bins_for(self, c: Command) -> tuple[list[str], str | None]:
        """(binary names, default) a cargo command builds; names may be [] without context."""
        explicit = [c.argv[i + 1] for i, w in enumerate(c.argv[:-1]) if w == "--bin"]
        explicit += [w.split("=", 1)[1] for w in c.argv if w.startswith("--bin=")]
        if explicit:
            return explicit, explicit[0]
        mdir = self.manifest_dir(c)
        manifest = self.manifest(mdir)
        package = option_value(c.argv, "-p", "--package")
        if package:
            found = self.workspace_member(mdir, manifest, package)
            if found:
                return self.package_bins(*found)
            return [], None
        if manifest.get("package"):
            return self.package_bins(mdir, manifest)
        if manifest.get("workspace") and "--workspace" not in c.argv and "--all" not in c.argv:
            # a virtual manifest builds its default members (all members when none are listed)
            members = self.workspace_members(mdir, manifest, default_only=True)
        else:
            members = self.workspace_members(mdir, manifest)
        names = [n for d, m in members for n in self.package_bins(d, m)[0]]
        return list(dict.fromkeys(names)), None

    def target_dir(self, c: Command) -> str:
        d = option_value(c.argv, "--target-dir") or c.env.get("CARGO_TARGET_DIR")
        return resolve(d, c.cwd) if d else posixpath.join(self.manifest_dir(c), "target")

    def profile_dir(self, c: Command) -> str:
        profile = option_value(c.argv, "--profile")
        if profile:
            return {"dev": "debug", "test": "debug", "bench": "release"}.get(profile, profile)
        return "release" if ("--release" in c.argv or "-r" in c.argv) else "debug"

    def triple(self, c: Command) -> str | None:
        t = option_value(c.argv, "--target") or c.env.get("CARGO_BUILD_TARGET")
        if not t and any(m in self.facts.image for m in MUSL_IMAGES):
            t = "x86_64-unknown-linux-musl"
        return t

    def out_dir(self, c: Command) -> str:
        t = self.triple(c)
        parts = [self.target_dir(c)] + ([t] if t else []) + [self.profile_dir(c)]
        return posixpath.join(*parts)
