"""Reaching receivers: which URLs and addresses are allowed (SSRF), and one bounded POST against real servers."""

from __future__ import annotations

import socketserver
import threading

import pytest

from integrations import network
from integrations.network import addresses_to_call, is_public_address, post, url_problem
from tests.integrations.receivers import always, answer

SLACK_HOSTS = ["hooks.slack.com"]


@pytest.mark.parametrize(("url", "problem"), [
    ("", "Enter the URL."),
    ("ftp://hooks.example.com/in", "Use an http:// or https:// URL."),
    ("javascript:alert(1)", "Use an http:// or https:// URL."),
    ("https:///path-only", "The URL has no host name."),
    ("https://user:pass@hooks.example.com/in",
     "Leave credentials out of the URL: receivers authenticate Hireloop by the signature."),
    ("https://hooks.example.com/in#part", "Leave the #fragment out: it is never sent to the receiver."),
    ("https://hooks.example.com:99999/in", "This is not a valid URL (check the host and port)."),
    ("https://hooks.example.com/a b", "A URL has no spaces or control characters."),
    ("https://hooks.example.com/" + "a" * 2000, "Use a URL of at most 2000 characters."),
    ("https://hooks.example.com/in?token=abc", None),
    ("http://hooks.example.com:8080/in", None),
])
def test_network_url_problem_names_what_is_wrong(url, problem):
    assert url_problem(url, require_https=False) == problem


def test_network_url_problem_https_required_and_slack_hosts():
    assert url_problem("http://hooks.example.com/in", require_https=True) == (
        "Use an https:// URL: this Hireloop sends webhooks over TLS only (HIRELOOP_WEBHOOK_REQUIRE_HTTPS)."
    )
    assert url_problem("https://hooks.slack.com/services/T1/B2/x", require_https=True,
                       allowed_hosts=SLACK_HOSTS) is None
    assert url_problem("https://evil.example.com/services/T1/B2/x", require_https=True,
                       allowed_hosts=SLACK_HOSTS) == (
        "Use a Slack incoming-webhook URL (https://hooks.slack.com/services/…)."
    )


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.215.14", True),
    ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
    ("10.1.2.3", False),
    ("172.16.0.1", False),
    ("192.168.1.10", False),
    ("127.0.0.1", False),
    ("169.254.169.254", False),  # cloud metadata
    ("100.64.0.1", False),  # carrier-grade NAT
    ("0.0.0.0", False),  # noqa: S104 - an address under test, not one we bind to
    ("224.0.0.1", False),
    ("240.0.0.1", False),
    ("::1", False),
    ("fe80::1", False),
    ("fc00::1", False),
    ("::ffff:127.0.0.1", False),  # IPv4 hidden in IPv6
    ("::ffff:10.0.0.1", False),
    ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
    ("::ffff:93.184.215.14", True),
])
def test_network_is_public_address(address, public):
    assert is_public_address(address) is public


def test_network_addresses_refuses_a_host_resolving_to_any_internal_address(monkeypatch):
    """One internal address among public ones is enough to refuse: the client may pick any of them."""
    monkeypatch.setattr(network, "resolve", lambda host, port: ["93.184.215.14", "10.0.0.7"])

    assert addresses_to_call("hooks.example.com", 443, allow_private=False) == ([], (
        "hooks.example.com resolves to 10.0.0.7, a private, loopback or otherwise internal address; Hireloop "
        "calls only public addresses (HIRELOOP_WEBHOOK_ALLOW_PRIVATE)."
    ))
    assert addresses_to_call("hooks.example.com", 443, allow_private=True) == (["93.184.215.14", "10.0.0.7"], None)


def test_network_addresses_localhost_is_refused_by_default():
    addresses, problem = addresses_to_call("localhost", 80, allow_private=False)

    assert addresses == []
    assert problem is not None and problem.startswith("localhost resolves to ")


def test_network_addresses_unresolvable_host():
    assert addresses_to_call("no-such-host.invalid", 443, allow_private=False) == (
        [], "The host name no-such-host.invalid does not resolve."
    )


def _post(url: str, *, allow_private: bool = True, read_timeout: float = 1.0) -> network.HttpResult:
    return post(url, b'{"hello":"world"}', {"Content-Type": "application/json"}, connect_timeout=1.0,
                read_timeout=read_timeout, allow_private=allow_private)


def test_network_post_reaches_a_receiver_and_reads_its_answer(receiver):
    ok = receiver(always(answer(202, "accepted")))

    result = _post(ok.url + "?token=abc")

    assert (result.status, result.error, result.excerpt) == (202, "", "accepted")
    assert isinstance(result.elapsed_ms, int)
    [request] = ok.requests
    assert (request.path, request.body, request.headers["content-type"]) == (
        "/hooks/hireloop?token=abc", b'{"hello":"world"}', "application/json"
    )


def test_network_post_to_private_address_refused_before_any_connection(receiver):
    """With private addresses refused, 127.0.0.1 is never contacted: the check comes before the connection."""
    ok = receiver(always(answer()))

    result = _post(ok.url, allow_private=False)

    assert result.status is None
    assert result.error == ("127.0.0.1 resolves to 127.0.0.1, a private, loopback or otherwise internal address; "
                            "Hireloop calls only public addresses (HIRELOOP_WEBHOOK_ALLOW_PRIVATE).")
    assert ok.requests == []


def test_network_post_connects_to_the_checked_address_with_the_host_name(receiver, monkeypatch):
    """The request goes to the address the check saw; Host still names the host (as TLS would)."""
    ok = receiver(always(answer()))
    asked = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(network, "resolve", resolver)

    result = _post(f"http://hooks.example.test:{ok.port}/in")

    assert (result.status, asked) == (200, ["hooks.example.test"])
    assert ok.requests[0].headers["host"] == f"hooks.example.test:{ok.port}"


def test_network_post_does_not_follow_redirects(receiver):
    target = receiver(always(answer()))
    redirecting = receiver(always(answer(302, "", headers={"Location": target.url})))

    result = _post(redirecting.url)

    assert (result.status, result.error) == (302, "")
    assert target.requests == []


def test_network_post_hanging_receiver_times_out(receiver):
    hanging = receiver(always(answer(hang=True)))

    result = _post(hanging.url, read_timeout=0.5)

    assert result.status is None
    assert result.error == "No answer within 0.5 s (HIRELOOP_WEBHOOK_READ_TIMEOUT)."
    assert len(hanging.requests) == 1


def test_network_post_dripping_receiver_is_cut_off(receiver):
    """A receiver answering a byte at a time never trips the read timeout; the watchdog ends the attempt."""
    dripping = receiver(always(answer(200, "ok", drip_seconds=0.1)))

    result = _post(dripping.url, read_timeout=0.5)

    assert result.status is None
    assert result.error == "No complete answer within 1.5 s in all; the attempt was cut off."


def test_network_post_refused_connection(receiver):
    gone = receiver(always(answer()))
    url = gone.url
    gone.stop()

    result = _post(url)

    assert result.status is None
    assert result.error == f"Connection refused by 127.0.0.1 on port {gone.port}."


def test_network_post_reads_retry_after_in_seconds(receiver):
    busy = receiver(always(answer(429, "slow down", headers={"Retry-After": "120"})))

    assert _post(busy.url).retry_after == 120


def test_network_post_answer_that_is_not_http_is_an_error_not_a_crash():
    """A receiver answering with something else than HTTP (a misconfigured port) is a failed attempt."""

    class NotHttp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.recv(65536)
            self.request.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")

    server = socketserver.TCPServer(("127.0.0.1", 0), NotHttp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = _post(f"http://127.0.0.1:{server.server_address[1]}/hooks")
    finally:
        server.shutdown()
        server.server_close()

    assert result.status is None
    assert result.error == "The answer was not valid HTTP (BadStatusLine)."
