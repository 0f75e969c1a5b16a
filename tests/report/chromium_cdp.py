"""Debian's chromium, headless, driven over the Chrome DevTools Protocol (for the report tests).

:func:`find_chromium` returns the browser's path; installing it is set-up, not a test's job
(``make chromium``, which ``make test`` and ``.ci/run`` run: scripts/ensure-chromium.sh).
:class:`Chromium` starts it with the debugging port bound to 127.0.0.1, opens one page, and
records console messages, exceptions and every network request while that page loads a file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

BINARIES = ("chromium", "chromium-browser")
_LISTENING = re.compile(r"DevTools listening on (ws://127\.0\.0\.1:(\d+)/\S+)")


def find_chromium() -> str | None:
    """The path of the chromium on PATH, or None."""
    for name in BINARIES:
        if found := shutil.which(name):
            return found
    return None


@dataclass
class PageLoad:
    """What happened while a page loaded."""

    console: list[dict[str, Any]] = field(default_factory=list)  # Runtime.consoleAPICalled
    exceptions: list[dict[str, Any]] = field(default_factory=list)  # Runtime.exceptionThrown
    log: list[dict[str, Any]] = field(default_factory=list)  # Log.entryAdded
    requests: list[str] = field(default_factory=list)  # Network.requestWillBeSent URLs

    def errors(self) -> list[str]:
        found = [
            " ".join(str(a.get("value", a.get("description", ""))) for a in c.get("args", []))
            for c in self.console
            if c.get("type") in ("error", "assert")
        ]
        found += [e.get("exceptionDetails", {}).get("text", "exception") for e in self.exceptions]
        entries = [e["entry"] for e in self.log]
        found += [e.get("text", "") for e in entries if e.get("level") == "error"]
        return found


class Chromium:
    """One headless chromium with one page, driven over CDP."""

    def __init__(self, binary: str, profile: Path, width: int = 1400, height: int = 900) -> None:
        self._process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._stderr_file(profile),
        )
        port = self._wait_for_port()
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(p for p in pages if p.get("type") == "page")
        self._ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def _stderr_file(self, profile: Path):
        # A file, not a pipe: nobody drains a pipe once the port is known, and a full pipe
        # would block the browser.
        profile.mkdir(parents=True, exist_ok=True)
        self._stderr_path = profile / "chromium-stderr.log"
        self._stderr_handle = self._stderr_path.open("w")
        return self._stderr_handle

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if match := _LISTENING.search(self._stderr_path.read_text(errors="replace")):
                return int(match.group(2))
            if self._process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(
            "chromium did not open its DevTools port: "
            + self._stderr_path.read_text(errors="replace")[-500:]
        )

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a CDP method and return its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        self._ws.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._events.append(message)

    def _wait_for_event(self, method: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self._events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout}s")
            self._events.append(json.loads(self._ws.recv()))

    def load(self, url: str, timeout: float = 60) -> PageLoad:
        """Navigate to ``url`` and wait for its load event; return what was recorded."""
        self._events.clear()
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", url=url)
        self._wait_for_event("Page.loadEventFired", timeout)
        self.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 300)))")
        record = PageLoad()
        for event in self._events:
            params = event.get("params", {})
            match event.get("method"):
                case "Runtime.consoleAPICalled":
                    record.console.append(params)
                case "Runtime.exceptionThrown":
                    record.exceptions.append(params)
                case "Log.entryAdded":
                    record.log.append(params)
                case "Network.requestWillBeSent":
                    record.requests.append(params["request"]["url"])
        return record

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text", "evaluation failed"))
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """A PNG of the whole page (not only the window)."""
        import base64

        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def close(self) -> None:
        try:
            self._ws.close()
        finally:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._stderr_handle.close()
