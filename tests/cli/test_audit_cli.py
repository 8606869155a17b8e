"""`audit checkpoint` and `audit verify` from the command line: sign, then catch a rewound chain."""

from __future__ import annotations

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from tests.cli_runner import invoke


def test_checkpoint_then_verify_catches_a_deleted_tail_with_the_head_rewound(db: Database, tenant: str) -> None:
    with db.tenant(tenant) as conn:
        for i in range(3):
            audit.append(conn, actor="cli-test", action="step", payload={"i": i})
    code, out = invoke("audit", "verify", "--tenant", tenant)
    assert code == 0 and "3 entries verified" in out and "no signed checkpoint yet" in out
    code, out = invoke("audit", "checkpoint", "--tenant", tenant)
    assert code == 0 and f"{tenant}: signed entry 3" in out and "checkpoints.jsonl" in out
    code, out = invoke("audit", "verify", "--tenant", tenant)
    assert code == 0 and "up to the signed checkpoint at entry 3" in out
    with db.admin() as conn:
        conn.execute("DELETE FROM audit_log WHERE tenant_id = %s AND seq = 3", (tenant,))
        conn.execute(
            "UPDATE audit_heads SET seq = 2, hash = (SELECT hash FROM audit_log WHERE tenant_id = %s AND seq = 2) "
            "WHERE tenant_id = %s",
            (tenant, tenant),
        )
    code, out = invoke("audit", "verify", "--tenant", tenant)
    assert code == 1 and "entries 3..3 recorded in the signed checkpoint" in out
    code, out = invoke("audit", "checkpoint", "--tenant", tenant)
    assert code == 1 and f"{tenant}: not signed, tampered" in out
    code, out = invoke("audit", "checkpoint", "--tenant", "no-such-tenant")
    assert code == 1 and "no tenant 'no-such-tenant'" in out
