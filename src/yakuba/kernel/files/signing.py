"""Signing PDFs with the town's key (PAdES, pyHanko) and checking a signed PDF, so any change after signing shows.

The key and certificate are a deployment setting (YAKUBA_SIGNING_KEY, YAKUBA_SIGNING_CERT: PEM files). Without
them a self-signed demo certificate is made on first use under the data directory; its subject says it is a demo
one (`is_demo`), and pages showing a signature say so.
"""

from __future__ import annotations

import asyncio
import datetime
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings

DEMO_MARK = "yakuba DEMO certificate (not for real use)"
T = TypeVar("T")


@dataclass(frozen=True)
class Keys:
    key_file: Path
    cert_file: Path


@dataclass(frozen=True)
class Report:
    """What `validate` found about a PDF's (last) signature."""

    signed: bool
    intact: bool = False  # the signed bytes were not changed
    valid: bool = False  # the signature is mathematically valid for the certificate
    trusted: bool = False  # the certificate chains to a trusted root (the town's own certificate counts)
    covers_whole_file: bool = False  # nothing was appended after signing
    signer: str = ""
    signed_at: datetime.datetime | None = None
    demo: bool = False

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.valid and self.covers_whole_file


def configured_keys() -> Keys:
    """The deployment's key and certificate; the demo pair (made once) when none is configured."""
    key = getattr(settings, "SIGNING_KEY_FILE", "")
    cert = getattr(settings, "SIGNING_CERT_FILE", "")
    if key and cert:
        return Keys(Path(key), Path(cert))
    folder = Path(getattr(settings, "SIGNING_DEMO_DIR", Path(settings.DATA_DIR) / "signing"))
    keys = Keys(folder / "demo-signing-key.pem", folder / "demo-signing-cert.pem")
    if not keys.key_file.exists() or not keys.cert_file.exists():
        make_demo_keys(keys)
    return keys


def make_demo_keys(keys: Keys, common_name: str = "yakuba demo") -> Keys:
    """A self-signed RSA key and certificate whose subject names it a demo certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_MARK),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(private, hashes.SHA256()))
    keys.key_file.parent.mkdir(parents=True, exist_ok=True)
    keys.key_file.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    keys.key_file.chmod(0o600)
    keys.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return keys


def is_demo(keys: Keys | None = None) -> bool:
    """Whether the certificate in use is the demo one."""
    keys = keys or configured_keys()
    return DEMO_MARK in keys.cert_file.read_text(errors="ignore") or _subject(keys).find(DEMO_MARK) >= 0


def _subject(keys: Keys) -> str:
    from cryptography import x509

    return x509.load_pem_x509_certificate(keys.cert_file.read_bytes()).subject.rfc4514_string()


def _off_the_loop(work: Callable[[], T]) -> T:
    """Run pyHanko's synchronous API, which starts an asyncio loop of its own: in a thread of its own when this
    thread already runs a loop (an ASGI server, a test driving a browser), else here."""
    if asyncio.events._get_running_loop() is None:
        return work()
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def sign(pdf: bytes, keys: Keys | None = None, *, reason: str = "", location: str = "") -> bytes:
    """`pdf` signed (PAdES baseline B) with the key; incremental, so the unsigned document is the signed part."""
    return _off_the_loop(lambda: _sign(pdf, keys, reason=reason, location=location))


def _sign(pdf: bytes, keys: Keys | None, *, reason: str, location: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    keys = keys or configured_keys()
    signer = signers.SimpleSigner.load(str(keys.key_file), str(keys.cert_file))  # type: ignore[no-untyped-call]
    if signer is None:
        raise ValueError("the signing key or certificate cannot be read")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=reason or None, location=location or None)
    out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer)
    return bytes(out.getbuffer())


def validate(pdf: bytes, keys: Keys | None = None) -> Report:
    """Check the last signature of `pdf`: intact and valid, and trusted when its certificate is the configured one
    (or chains to it)."""
    return _off_the_loop(lambda: _validate(pdf, keys))


def _validate(pdf: bytes, keys: Keys | None) -> Report:
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # a file that is not a readable PDF has no signature to speak of
        return Report(signed=False)
    if not signatures:
        return Report(signed=False)
    keys = keys or configured_keys()
    der = keys.cert_file.read_bytes()
    if pem.detect(der):
        _, _, der = pem.unarmor(der)
    root = x509.Certificate.load(der)
    context = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    embedded = signatures[-1]
    try:
        status: Any = validate_pdf_signature(embedded, context)
    except Exception:  # a broken signature structure: not intact
        return Report(signed=True, demo=is_demo(keys))
    coverage = getattr(status, "coverage", None)
    whole = coverage is not None and coverage.name == "ENTIRE_FILE"
    return Report(signed=True, intact=bool(status.intact), valid=bool(status.valid), trusted=bool(status.trusted),
                  covers_whole_file=whole, signer=status.signing_cert.subject.human_friendly,
                  signed_at=getattr(status, "signer_reported_dt", None), demo=is_demo(keys))
