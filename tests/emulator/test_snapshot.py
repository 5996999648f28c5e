"""moto's state saved once and restored: the restored fleet is the seeded one, a change made
after the save is gone, every restore is a copy of its own, and KMS keys (private keys
included) still work."""

from __future__ import annotations

import pytest

from dynaguard.emulator import seed_demo_fleet
from dynaguard.emulator.snapshot import restore_state, save_state
from tests.integration.fleet_snapshot import differences, snapshot

pytestmark = pytest.mark.slow


def test_restore_brings_back_the_seeded_fleet_each_time(emulator, server):
    manifest = seed_demo_fleet(emulator.endpoint_url)
    ddb, kms = server("dynamodb"), server("kms")
    signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    sealing = kms.create_key()["KeyMetadata"]["KeyId"]
    seeded = snapshot(emulator.endpoint_url)
    keys = sorted(k["KeyId"] for k in kms.list_keys()["Keys"])
    state = save_state()
    assert state.backends > 0
    table = manifest.tables[0]

    for _ in range(2):  # the second round proves the first restore left the copy untouched
        protected = ddb.describe_table(TableName=table)["Table"].get("DeletionProtectionEnabled")
        ddb.update_table(TableName=table, DeletionProtectionEnabled=not protected)
        kms.create_key(Description="made after the save")
        assert differences(seeded, snapshot(emulator.endpoint_url)) != []
        restore_state(state)
        assert differences(seeded, snapshot(emulator.endpoint_url)) == []
        assert sorted(k["KeyId"] for k in kms.list_keys()["Keys"]) == keys

    signed = kms.sign(
        KeyId=signing, Message=b"m", MessageType="RAW", SigningAlgorithm="RSASSA_PSS_SHA_256"
    )
    verified = kms.verify(
        KeyId=signing,
        Message=b"m",
        MessageType="RAW",
        Signature=signed["Signature"],
        SigningAlgorithm="RSASSA_PSS_SHA_256",
    )
    assert verified["SignatureValid"] is True
    blob = kms.encrypt(KeyId=sealing, Plaintext=b"s")
    assert kms.decrypt(CiphertextBlob=blob["CiphertextBlob"])["Plaintext"] == b"s"
