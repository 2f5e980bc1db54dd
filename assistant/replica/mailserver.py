"""A real IMAP server on 127.0.0.1 for the replica's code mails: pymap, in a process of its own.

`assistant replica --mailbox` starts one as the practice mailbox (`practice_mailbox`: one
STARTTLS listener with IDLE, on a fixed port, certificates and password kept in a folder so a
`mailbox setup` made once stays valid), and the tests start one per session
(`start_mail_server`). `make_certificates` makes a throwaway certificate authority and a server
certificate for 127.0.0.1 (the `cryptography` package). One in-memory mailbox, one user, and up
to four listeners:

- `starttls`: plain IMAP that offers STARTTLS and IDLE (as most servers on port 143);
- `tls`: implicit TLS from the first byte (as port 993);
- `no_idle`: STARTTLS without the IDLE capability (as a server that must be polled);
- `no_starttls`: plain IMAP without STARTTLS (where a client must not send its password).

With `only_starttls` (the practice mailbox) the other three are not opened (their ports are 0).
The server stops when `stop()` is called or when the process that started it goes away (its
standard input closes), so no run leaves one behind. pymap and cryptography are the
`practice` extra (`pip install 'assistant[practice]'`; `make setup` installs them).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import imaplib
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

USER = "it@lakeside.example.org"
PASSWORD_VARIABLE = "REPLICA_MAILSERVER_PASSWORD"  # noqa: S105 (a variable's name)
USER_VARIABLE = "REPLICA_MAILSERVER_USER"
READY = "READY"
IN_USE = "IN-USE"


def make_certificates(folder: Path, days: int = 1) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for 127.0.0.1 it signed, valid for `days`: (ca.pem, server.pem,
    server.key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "assistant replica CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return ca_file, cert_file, key_file


@dataclass
class MailServer:
    """A running IMAP server: where it listens, who may log in, and the CA to trust."""

    process: subprocess.Popen[str]
    starttls: int
    tls: int
    no_idle: int
    no_starttls: int
    user: str
    password: str
    ca_file: Path
    host: str = "127.0.0.1"

    def config_toml(self, *, port: int | None = None, tls: str = "starttls", **extra: str) -> str:
        """A `config.toml` for this server (STARTTLS with IDLE unless told otherwise)."""
        lines = [
            "[mailbox]",
            f'host = "{self.host}"',
            f"port = {port if port is not None else self.starttls}",
            f'user = "{self.user}"',
            f'tls = "{tls}"',
            f'ca_file = "{self.ca_file}"',
            *(f'{key} = "{value}"' for key, value in extra.items()),
        ]
        return "\n".join(lines) + "\n"

    def append(self, message: bytes, received: dt.datetime | None = None) -> None:
        """Put `message` into INBOX as received at `received` (default: now), as a mail
        server does on delivery."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        with imaplib.IMAP4(self.host, self.starttls, timeout=10) as client:
            client.starttls(context)
            client.login(self.user, self.password)
            when = imaplib.Time2Internaldate((received or dt.datetime.now(dt.UTC)).timestamp())
            status, _ = client.append("INBOX", "", when, message)
            assert status == "OK"

    def stop(self) -> None:
        """Stop the server and wait for it to go."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdin is not None:
            self.process.stdin.close()
        if self.process.stdout is not None:
            self.process.stdout.close()


class MailServerFailed(OSError):
    """The server did not start: its port is taken, or pymap is missing or failed."""


def start_mail_server(
    folder: Path,
    password: str,
    user: str = USER,
    *,
    port: int = 0,
    only_starttls: bool = False,
    certificates: tuple[Path, Path, Path] | None = None,
) -> MailServer:
    """Start the server (its STARTTLS listener on `port`, 0 for any free one), with
    `certificates` (ca, cert, key) or new ones made in `folder`; return once it listens.
    `MailServerFailed` when it cannot (the port is taken: its message says so)."""
    ca_file, cert_file, key_file = certificates or make_certificates(folder)
    log: IO[str] = (folder / "server.log").open("w", encoding="utf-8")
    command = [sys.executable, "-m", __name__, "--cert", str(cert_file), "--key", str(key_file)]
    command += ["--port", str(port), *(["--only-starttls"] if only_starttls else [])]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, PASSWORD_VARIABLE: password, USER_VARIABLE: user},
    )
    log.close()
    assert process.stdout is not None
    line = process.stdout.readline().split()
    if not line or line[0] != READY:
        process.kill()
        process.wait()
        if line and line[0] == IN_USE:
            raise MailServerFailed(f"127.0.0.1:{port} is in use ({' '.join(line[1:])})")
        log_text = (folder / "server.log").read_text(encoding="utf-8")
        raise MailServerFailed(f"the IMAP server did not start:\n{log_text}")
    starttls, tls, no_idle, no_starttls = (int(port) for port in line[1:5])
    return MailServer(process, starttls, tls, no_idle, no_starttls, user, password, ca_file)


PRACTICE_USER = "practice@replica.invalid"
PRACTICE_PORT = 1143
PASSWORD_FILE = "password"  # noqa: S105 (a file's name)
_CERTIFICATE_DAYS = 365


def practice_mailbox(folder: Path, port: int = PRACTICE_PORT) -> MailServer:
    """The practice mailbox of `assistant replica --mailbox`: a STARTTLS listener on `port`
    whose CA, certificate and password are kept in `folder` (private, made if missing) and
    used again by the next start, so that the `mailbox setup` made for it stays valid. New
    ones are made when missing, or when the certificate ends within a day."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    certificates = (folder / "ca.pem", folder / "server.pem", folder / "server.key")
    if not _still_valid(certificates[1]) or not all(path.is_file() for path in certificates):
        certificates = make_certificates(folder, days=_CERTIFICATE_DAYS)
    return start_mail_server(
        folder,
        practice_password(folder),
        PRACTICE_USER,
        port=port,
        only_starttls=True,
        certificates=certificates,
    )


def practice_password(folder: Path) -> str:
    """The practice mailbox's password, kept in `folder/password` (0600; made once)."""
    import secrets

    path = folder / PASSWORD_FILE
    if path.is_file():
        password = path.read_text(encoding="utf-8").strip()
        if password:
            return password
    password = secrets.token_urlsafe(18)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(password + "\n")
    return password


def _still_valid(cert_file: Path) -> bool:
    """Whether the certificate in `cert_file` is valid for at least another day."""
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    except (OSError, ValueError):
        return False
    return cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (as a mail server that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the server process ------------------------------------------------------------------------


async def _serve(cert: str, key: str, port: int, only_starttls: bool) -> None:
    from proxyprotocol.reader import ProxyProtocolReader
    from pymap.backend.dict import Config, DictBackend, Login
    from pymap.config import BackendCapability
    from pymap.imap import IMAPServer

    class NoIdleConfig(Config):
        @property
        def backend_capability(self) -> BackendCapability:
            return BackendCapability(idle=False, object_id=True, multi_append=True)

    args = argparse.Namespace(
        debug=False,
        passlib_cfg=None,
        host="127.0.0.1",
        port=0,
        cert=cert,
        key=key,
        tls=True,
        proxy_protocol=None,
        inherited_sockets=None,
        demo_data=False,
        demo_user=os.environ[USER_VARIABLE],
        demo_password=os.environ[PASSWORD_VARIABLE],
    )
    backend, config = await DictBackend.init(args, invalid_user_sleep=0.0)
    config.apply_context()
    proxy = ProxyProtocolReader(config.proxy_protocol)

    def sharing(other: Config) -> Any:
        """A listener with its own config, sharing the mailbox and the user with the others."""
        other.set_cache = config.set_cache
        login = Login(other)
        login.users_dict = backend.login.users_dict
        return proxy.get_callback(IMAPServer(login, other))

    with_idle = proxy.get_callback(IMAPServer(backend.login, config))
    without_idle = sharing(NoIdleConfig.from_args(args, invalid_user_sleep=0.0))
    no_tls_args = argparse.Namespace(**{**vars(args), "tls": False})
    without_tls = sharing(Config.from_args(no_tls_args, invalid_user_sleep=0.0))
    async with AsyncExitStack() as stack:
        await backend.start(stack)
        try:
            first = await asyncio.start_server(with_idle, "127.0.0.1", port)
        except OSError as error:
            print(IN_USE, os.strerror(error.errno) if error.errno else error, flush=True)
            return
        servers = [first]
        if not only_starttls:
            servers += [
                await asyncio.start_server(with_idle, "127.0.0.1", 0, ssl=config.ssl_context),
                await asyncio.start_server(without_idle, "127.0.0.1", 0),
                await asyncio.start_server(without_tls, "127.0.0.1", 0),
            ]
        for server in servers:
            await stack.enter_async_context(server)
        ports = [server.sockets[0].getsockname()[1] for server in servers]
        ports += [0] * (4 - len(ports))
        print(READY, *ports, flush=True)
        # Serve until the process that started it closes our standard input (or terminates us).
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--only-starttls", action="store_true")
    options = parser.parse_args()
    asyncio.run(_serve(options.cert, options.key, options.port, options.only_starttls))


if __name__ == "__main__":
    main()
