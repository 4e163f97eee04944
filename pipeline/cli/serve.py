"""``homelang serve``: the review site (staff dashboard, volunteers' invitation pages)."""

from __future__ import annotations

import dataclasses
import signal
import socket
import sys

import click

from pipeline.cli import echo, main, settings

#: Addresses only this machine can reach.
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: Addresses that mean every interface: links cannot name them (they name 127.0.0.1).
WILDCARDS = {"0.0.0.0", "::", ""}
#: Requests served at once (waitress' worker threads); saves queue on the project lock.
THREADS = 8
#: Waitress' guard against slow clients: connections held open at once (poll(), not
#: select(), so past 1,024 descriptors) and seconds a silent one is kept (default 120).
#: A client trickling a byte at a time still holds its connection: only a proxy in
#: front, which reads whole requests before passing them on, stops that.
SLOW_CLIENTS = {"connection_limit": 1000, "asyncore_use_poll": True, "channel_timeout": 30}


@main.command()
@click.option(
    "--host", default=None, help="Address to listen on (default 127.0.0.1: this machine only)."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port (default 8765; 0: any free one).",
)
@click.option(
    "--trusted-proxy",
    metavar="ADDRESS",
    default=None,
    help="The HTTPS proxy's address: its X-Forwarded-For names each volunteer "
    "(rate limits count per volunteer, not per proxy).",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str | None, port: int | None, trusted_proxy: str | None
) -> None:
    """Run the review site until Ctrl-C: the dashboard for staff, invitation pages for volunteers.

    Prints the staff address (with a token made for this run) to open the dashboard;
    volunteers open the links `homelang review invite` makes."""
    from waitress import create_server

    from pipeline import invites
    from pipeline.errors import PipelineError
    from pipeline.web import create_app, security

    project = settings(ctx)
    running = invites.serving(project)
    if running:  # one note per project: a second server would take the first one's links
        raise PipelineError(
            f"homelang serve already runs for this project at {running}: stop it first "
            f"(if it does not run, delete .homelang/{invites.SERVING})"
        )
    host = host or project.serve.host
    port = project.serve.port if port is None else port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family)  # bound now: --port 0 known
    port = listener.getsockname()[1]
    # invitation links made while it runs name this address (unless public_url is set)
    project = dataclasses.replace(
        project, serve=dataclasses.replace(project.serve, host=host, port=port)
    )
    token = security.new_staff_token()
    proxy = {}
    if trusted_proxy:  # waitress takes the client's address from the proxy's header
        proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_headers": {"x-forwarded-for"}}
    server = create_server(
        create_app(project, token),
        sockets=[listener],
        threads=THREADS,
        ident="homelang",
        **SLOW_CLIENTS,
        **proxy,
    )
    shown_host = "127.0.0.1" if host in WILDCARDS else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    address = f"http://{shown_host}:{port}"
    note = invites.note_serving(project, address)  # `review invite` links name this address
    noted = project.state_path / invites.SERVING
    echo(f"Dashboard (staff, keep this address to yourself): {address}/?staff={token}")
    echo(
        f"Invitation links (here and `homelang review invite`): "
        f"{invites.link(project, '')}... (public_url in [tool.homelang.serve] to change it)"
    )
    if host not in LOOPBACK:
        echo(_PROXY.format(host=host, port=port))
    warning = links_warning(host, address, project.serve.public_url)
    if warning:
        echo(warning)
    echo("Ctrl-C stops it.")
    # a service manager's stop (SIGTERM) ends it as Ctrl-C does, tidying up after it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if noted.exists() and noted.read_bytes() == note:
            noted.unlink()  # links name the configured address again


def links_warning(host: str, address: str, public_url: str) -> str:
    """What serve says when other machines reach it but invitation links name ``address``."""
    if public_url or host in LOOPBACK:
        return ""
    if host in WILDCARDS:
        where = "which opens on this machine only, never on a volunteer's phone"
    else:
        where = "in clear, not through the HTTPS proxy"
    return (
        f"No public_url is set: invitation links name {address}, {where}. "
        "Set public_url in [tool.homelang.serve] before making invitations."
    )


_PROXY = """\
Listening on {host}:{port}: other machines can reach it. The district's HTTPS proxy
in front is required, not optional: without it, invitation and staff tokens cross the
network in clear, and a few hundred slow connections can hold the site. Volunteers
must only ever reach it through the proxy, for example with nginx:
    location / {{ proxy_pass http://THIS-MACHINE:{port}; proxy_set_header Host $host;
                 proxy_set_header X-Forwarded-For $remote_addr; }}
Then run serve with --trusted-proxy PROXY-ADDRESS (rate limits count each volunteer,
not the proxy), set [tool.homelang.serve] public_url = "https://translate.example.org"
(the proxy's address: invitation links use it, and cookies go over HTTPS only), and let
only the proxy reach port {port} (a firewall rule)."""
