"""Deliveries over HTTPS verify the receiver's certificate for the URL's host name."""

import datetime
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.webhooks.conftest import endpoint_create, order_place, run_worker
from tests.webhooks.receiver import Receiver
from webhooks.models import WebhookAttempt

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for localhost: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def https_receiver(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    receiver = Receiver(tls=context).start()
    yield receiver
    receiver.stop()


def test_an_untrusted_certificate_is_a_failed_attempt(shop, https_receiver):
    endpoint_create(shop, https_receiver.url, event_types=["order.created"])
    order_place(shop)

    run_worker()

    assert https_receiver.received == []
    assert "CERTIFICATE_VERIFY_FAILED" in WebhookAttempt.objects.get().error


def test_a_trusted_https_receiver_gets_the_delivery(shop, https_receiver, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the receiver's CA is trusted
    endpoint_create(shop, https_receiver.url, event_types=["order.created"])
    order_place(shop)

    run_worker()

    (delivery,) = https_receiver.wait_for(1)
    assert delivery.headers["webhook-id"].startswith("evt_")
    assert WebhookAttempt.objects.get().status_code == 200
