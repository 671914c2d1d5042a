"""`inbox-app simulate`: serve the simulated vendors in the foreground until Ctrl-C.

It first prints where each vendor answers, the credentials, and an accounts-file
snippet, so a user can point the app at the simulator by pasting it.
"""

from __future__ import annotations

import argparse
import json
import sys

from .config import SimConfig, parse_fault_spec
from .server import RunningServer, bind, build_server
from .simulator import ADMIN_PATH, Simulator

DEFAULT_PORT = 8765


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inbox-app simulate",
        description="Serve simulated LiveVox, Zoho Voice, Voximplant and Zoom Contact Center"
        " SMS APIs with seeded data.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"0 picks a free port (default {DEFAULT_PORT})",
    )
    parser.add_argument("--seed", type=int, default=1, help="same seed, same world (default 1)")
    parser.add_argument("--size", choices=("small", "medium", "large"), help="default: small")
    parser.add_argument("--threads", type=int, help="LiveVox threads (instead of --size)")
    parser.add_argument("--messages-per-thread", type=int, help="average (instead of --size)")
    parser.add_argument("--live", action="store_true", help="generate live traffic")
    parser.add_argument(
        "--faults", metavar="SPEC", help="e.g. latency=50ms,5xx=0.1,429=0.05,drop=0.02"
    )
    return parser


def _config(args: argparse.Namespace) -> SimConfig:
    sized = {
        key: value
        for key, value in (
            ("threads", args.threads),
            ("messages_per_thread", args.messages_per_thread),
        )
        if value is not None
    }
    if args.size and sized:
        raise ValueError("--size cannot be combined with --threads/--messages-per-thread")
    return SimConfig.for_size(
        args.size or "small",
        seed=args.seed,
        live=args.live,
        faults=parse_fault_spec(args.faults or ""),
        **sized,
    )


def accounts_toml(running: RunningServer, credentials: dict[str, dict[str, str]]) -> str:
    """The `[[accounts]]` entries that point the app at this simulator."""

    def entry(name: str, provider: str, urls: dict[str, str], secrets: dict[str, str]) -> str:
        values = {"name": name, "provider": provider, **urls, **secrets}
        lines = [f"{key} = {json.dumps(value)}" for key, value in values.items()]
        return "\n".join(["[[accounts]]", *lines])

    return "\n\n".join(
        (
            entry(
                "LiveVox demo", "livevox", {"base_url": running.livevox_url}, credentials["livevox"]
            ),
            entry(
                "Zoho demo",
                "zoho",
                {"base_url": running.zoho_url, "accounts_url": running.zoho_accounts_url},
                credentials["zoho"],
            ),
            entry(
                "Voximplant demo",
                "voximplant",
                {"base_url": running.voximplant_url},
                credentials["voximplant"],
            ),
            entry(
                "Zoom demo",
                "zoom",
                {"base_url": running.zoom_url, "oauth_url": running.zoom_oauth_url},
                credentials["zoom"],
            ),
        )
    )


def banner(running: RunningServer, sim: Simulator) -> str:
    config = sim.config
    summary = (
        f"seed {config.seed}: {config.threads} LiveVox threads x ~{config.messages_per_thread} "
        f"messages, {config.zoho_conversations} Zoho conversations x "
        f"~{config.zoho_messages_per_conversation}, {config.voximplant_pairs} Voximplant "
        f"number pairs x ~{config.voximplant_messages_per_pair}, "
        f"{config.zoom_engagements} Zoom engagements; "
        f"live traffic {'on' if config.live else 'off'}; "
        f"faults {sim.faults.describe()}"
    )
    credentials = sim.credentials
    lines = [
        f"Agent Inbox vendor simulator ({summary})",
        "",
        f"  LiveVox base URL     {running.livevox_url}",
        f"  Zoho Voice API       {running.zoho_url}",
        f"  Zoho OAuth (accounts) {running.zoho_accounts_url}",
        f"  Voximplant API       {running.voximplant_url}",
        f"  Zoom CC API          {running.zoom_url}",
        f"  Zoom OAuth           {running.zoom_oauth_url}",
        f"  Simulator admin      {running.base_url}{ADMIN_PATH}/state",
        "",
        "Credentials:",
        *(
            f"  {vendor}: " + ", ".join(f"{key}={value}" for key, value in values.items())
            for vendor, values in credentials.items()
        ),
        "",
        "# Accounts file snippet: paste into your Agent Inbox config file",
        accounts_toml(running, credentials),
        "",
        "Serving; press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def run(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = _config(args)
    except ValueError as exc:
        parser.error(str(exc))
    sim = Simulator(config)
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(
            f"inbox-app simulate: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr
        )
        return 1
    running = RunningServer(args.host, sock.getsockname()[1])
    print(banner(running, sim), flush=True)
    try:
        build_server(sim, quiet=False).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0
