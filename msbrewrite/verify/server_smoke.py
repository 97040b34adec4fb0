"""How verify runs the two images as servers: the probe image, which ports and paths to try in
what order (the original's answers set the converted image's plan), a dev server replaced by a
production build, and a worker that listens on nothing. The Verifier's server half."""
from __future__ import annotations

import os

from msbrewrite.verify.engine import EngineError
from msbrewrite.verify.judge import CliRun, Smoke, as_dict, judge_cli, judge_server, port_note, ports_of
from msbrewrite.verify.ports import authoritative, named_ports
from msbrewrite.verify.probe import ServerRun
from msbrewrite.verify.report import Report


# Probe images looked for locally when the smoke check needs curl next to a distroless app.
# The first is the e2e lab's probe (Debian slim + curl); the others are the usual public choices.
PROBE_CANDIDATES = ("msb-e2e/probe:1", "curlimages/curl:latest", "curlimages/curl")


class ServerSmoke:
    """The server smoke run of a Verifier (its docker, settings, label, run id and progress)."""

    def _server(self, report: Report, original: str | None, original_config: dict, converted: str,
                config: dict) -> Smoke:
        from msbrewrite.verify.oracle import answered_alike, health_diffs, http_probes, listener_difference, log_diffs
        from msbrewrite.verify.devserver import browser_paths, devswitch_probes
        from msbrewrite.verify.ports import port_found_by
        from msbrewrite.verify.probe import ServerProbe, crawl_plan, fixed_plan
        from msbrewrite.verify.routes import discover_routes

        requested = list(self.s.paths) or ["/"]
        found_by = {p: "requested" for p in requested}
        seeds = list(requested)
        declared_writes: list[str] = []
        if self.s.discover:
            scan = discover_routes(self.s.context, self.s.route_limit)
            report.routes_skipped = scan.skipped
            declared_writes = scan.writes
            for r in scan.routes:
                if r.path not in found_by:
                    found_by[r.path] = f"route ({r.framework}, {r.file}:{r.line}" + (", sample value)" if r.sample else ")")
                    seeds.append(r.path)
        pages, depth = (self.s.crawl_pages, self.s.crawl_depth) if self.s.discover else (0, 0)
        probe = self._probe_image()
        # readiness on the first requested path: `/` itself may crash an app that was given --path
        ready = requested[0]

        from msbrewrite.verify.env import unbuffered_original
        unbuffered = unbuffered_original(original_config, config, self.s.run_args) if original else []
        if unbuffered:
            report.notes.append("the original ran with PYTHONUNBUFFERED=1, as the converted image sets it: its "
                                "log then shows what the app printed instead of keeping it in a buffer")

        from msbrewrite.model.context import Context
        from msbrewrite.rules.compose_usage import services_in
        from msbrewrite.verify.env import terminal_args
        terminal, said = terminal_args(services_in(Context(self.s.context)), self.s.run_args)
        if said:
            report.notes.append(said)

        def server(role: str) -> ServerProbe:
            args = self.s.run_args + terminal + (unbuffered if role == "original" else [])
            return ServerProbe(self.docker, self.label, f"msb-verify-{self.run_id}-{role}", probe,
                               args, self.s.timeout, self.progress)

        before, idle = None, False
        if original:
            self.progress("starting the original image and probing the port it answers on")
            named_before = named_ports(self.s.port, original_config, self.s.mode == "server")
            before = server("original").run(original, list(named_before), ready, crawl_plan(seeds, found_by, pages, depth),
                                            self.s.smoke_cmd, keep_diff=True, health=_health_test(original_config),
                                            discover=not authoritative(self.s.port, original_config),
                                            fallback=not self.s.port, recheck=True)
            before.port_found_by = port_found_by(before.port, named_before, before.named_silent)
            self._written = before.diff
            idle = before.port is None and before.started and not named_before
            if idle and (not before.stayed_up or self.s.smoke_cmd):
                # exited without listening (or --smoke-cmd's arguments to run): a command-line program
                self.progress("the original listened on no port: running both images as command-line programs")
                return self._cli_runs(report, original, converted)
        switch = self._dev_switch(original_config, config)
        if before is not None and before.port is not None and switch:
            # a browser's view: the original's pages and files, then what the converted pages load
            plan = crawl_plan(browser_paths(before), before.found_by, pages, depth)
        elif before is not None and before.port is not None:
            plan = fixed_plan(list(before.found_by), before.found_by)     # the same paths as the original
        else:
            plan = crawl_plan(seeds, found_by, pages, depth)
        self.progress("starting the converted image and probing it")
        named = named_ports(self.s.port, config, self.s.mode == "server")
        discover = not authoritative(self.s.port, config)
        if before is not None and before.port is not None and switch:
            # a dev server's port is its own: the production server may listen elsewhere
            named = {before.port: "the original's port", **named}
        elif before is not None and before.port is not None:
            # the port the original answered on, and only it: an app with a second listener (a
            # backend, a metrics port) would otherwise be probed on whichever answers first
            named, discover = {before.port: "the original's port"}, False
        after = server("converted").run(converted, list(named), ready, plan, self.s.smoke_cmd,
                                        health=_health_test(config) if before is None or before.health_rc == 0 else None,
                                        discover=discover, fallback=not self.s.port or before is not None)
        after.port_found_by = port_found_by(after.port, named, after.named_silent)
        self._converted_logs = after.logs
        if before is not None and idle:
            return self._idle(report, before, after)
        for run in (before, after):
            if run is not None:
                run.statuses = {p: run.fetches[p].status for p in requested if p in run.fetches}
        smoke = judge_server(before, after, same_port=not switch)
        smoke.detail += port_note(before, after)
        if switch and before is not None and before.port is not None:
            report.probes, http, report.expected = devswitch_probes(before, after, switch)
            report.notes.append(f"the original ran {switch}, the converted image a production build: compared as a "
                                "browser sees them (same routes, scripts and stylesheets load, same static files)")
        else:
            servers = _web_server(original_config), _web_server(config)
            replaced = servers[0] != servers[1]
            if replaced:
                report.notes.append(f"the converted image serves with {servers[1] or 'its own server'} "
                                    f"where the original ran {servers[0] or 'its own server'}: "
                                    "generated pages (folder listings, messages) are compared by status and type only")
            if not replaced and before is not None and before.port is not None:
                self._restart_check(report, before, after, server("original-again"), original, ready)
            report.probes, http = http_probes(before, after, shapes=not replaced)
        if before is not None and before.port is None:
            return smoke            # no baseline: nothing the converted image does can be compared
        logs = log_diffs(before.logs if before else None, after.logs, self._managers(), answered_alike(before, after))
        report.differences += http + listener_difference(before, after) + logs + \
            health_diffs(_health_test(original_config), _health_test(config), before, after)
        unexercised = _write_forms(before or after) + declared_writes
        if unexercised:
            report.notes.append(f"writes not exercised (verify only reads): {', '.join(unexercised[:5])}" +
                                (f" and {len(unexercised) - 5} more" if len(unexercised) > 5 else ""))
        if after.crawl_dropped or (before and before.crawl_dropped):
            report.notes.append(f"the crawl stopped at {pages} pages / depth {depth}: "
                                f"{max(after.crawl_dropped, before.crawl_dropped if before else 0)} links not probed")
        return smoke

    def _restart_check(self, report: Report, before: ServerRun, after: ServerRun, again_probe, image: str,
                       ready: str) -> None:
        """A page the original answered alike twice but the converted image answers otherwise may
        hold what the app makes when it starts (random ids given to records, a start time): the
        original is started once more and asked for those pages; one that changed between the two
        starts is not compared by its body."""
        from msbrewrite.verify.crawl import shape_changed
        from msbrewrite.verify.probe import fixed_plan
        suspects = [p for p, f in before.fetches.items() if p in after.fetches and shape_changed(f, after.fetches[p])]
        if not suspects:
            return
        self.progress("a page differs: starting the original once more to see whether it changes between starts")
        again = again_probe.run(image, [before.port], ready, fixed_plan(suspects, before.found_by))
        changed = [p for p in suspects if p in again.fetches and again.fetches[p].shape != before.fetches[p].shape]
        for path in changed:
            before.fetches[path].stable = False
        if changed:
            report.notes.append("the original answered differently after a restart (what the app makes when it starts: "
                                f"ids, times), so these bodies are not compared: {', '.join(changed[:5])}" +
                                (f" and {len(changed) - 5} more" if len(changed) > 5 else ""))

    def _dev_switch(self, original_config: dict, config: dict) -> str | None:
        """The dev server the original ran, when the converted image runs a production build instead."""
        from msbrewrite.verify.devserver import dev_switch, read_scripts
        from msbrewrite.verify.ports import command_words
        return dev_switch(command_words(original_config), command_words(config), read_scripts(self.s.context))

    def _idle(self, report: Report, before: ServerRun, after: ServerRun) -> Smoke:
        """The original kept running and listened on nothing: a worker, judged like a command-line
        program that is still running (a PASS only when the converted one listens on nothing too)."""
        from msbrewrite.verify.oracle import log_diffs
        report.differences += log_diffs(before.logs, after.logs, self._managers())
        if after.listeners:
            return Smoke("cli", False, f"the converted image listens on {ports_of(after.listeners)}, the original "
                                       "on no port", as_dict(before), as_dict(after))
        return judge_cli(CliRun(None, "\n".join(before.logs), listeners=before.listeners),
                         CliRun(None if after.stayed_up else after.exit_code, "\n".join(after.logs),
                                listeners=after.listeners), self.s.timeout)

    def _listening(self, container: str) -> list[list]:
        """The TCP sockets a still-running container listens on, read by a helper in its network
        namespace (a locally present probe image only: never a pull for this)."""
        from msbrewrite.verify.logs import listeners
        image = self.s.probe_image or os.environ.get("MSB_PROBE_IMAGE") or \
            next((i for i in PROBE_CANDIDATES if self.docker.has_image(i)), None)
        if not image:
            return []
        proc = self.docker.run("run", "--rm", "--label", self.label, "--network", f"container:{container}",
                               "--entrypoint", "sh", image, "-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null")
        return sorted([a, p] for a, p in listeners(proc.stdout))

    def _probe_image(self) -> str:
        wanted = self.s.probe_image or os.environ.get("MSB_PROBE_IMAGE")
        if wanted:
            if not self.docker.has_image(wanted):
                raise EngineError(f"probe image {wanted} is not present: pull or build it first")
            return wanted
        for image in PROBE_CANDIDATES:
            if self.docker.has_image(image):
                return image
        self.progress("pulling curlimages/curl for the HTTP probe")
        if self.docker.run("pull", "curlimages/curl:latest", timeout=300).returncode == 0:
            return "curlimages/curl:latest"
        raise EngineError("no probe image with curl (tried " + ", ".join(PROBE_CANDIDATES) +
                          "): pass --probe-image IMAGE")


# web servers an image may run in place of the original's own server (frontends on nginx)
WEB_SERVERS = ("nginx", "caddy", "httpd", "httpd-foreground", "apache2ctl", "apache2-foreground", "lighttpd")


def _web_server(config: dict) -> str | None:
    """The web server program the image's command runs, if any (the official nginx image's
    command is `nginx -g ...` behind its entrypoint script)."""
    from msbrewrite.verify.ports import command_words
    return next((w for w in map(os.path.basename, command_words(config)) if w in WEB_SERVERS), None)


def _write_forms(run: ServerRun) -> list[str]:
    """The forms on the crawled pages that write, as `POST /path (form on /page)`."""
    from msbrewrite.verify.crawl import write_forms
    out = []
    for path, f in run.fetches.items():
        if f.body is not None and "html" in f.content_type.lower():
            for action, csrf in write_forms(path, f.body):
                line = f"POST {action} (form on {path}{', CSRF token' if csrf else ''})"
                if line not in out:
                    out.append(line)
    return out


def _health_test(config: dict) -> list[str] | None:
    hc = config.get("Healthcheck") if isinstance(config, dict) else None
    test = hc.get("Test") if isinstance(hc, dict) else None
    return test if isinstance(test, list) and all(isinstance(w, str) for w in test) else None
