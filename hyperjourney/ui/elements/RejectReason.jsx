import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";

// Reject asks why: the reason is stored with the decision and in the audit log.
export default function RejectReason() {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const send = (name) => {
    setBusy(true);
    callAction({ name, payload: { run_id: props.run_id, item_id: props.item_id, reason } }).finally(() => setBusy(false));
  };
  return (
    <div className="flex flex-col gap-2 w-full" id="reject-reason">
      <label className="flex flex-col gap-1 text-sm">
        Why reject it? (stored with the decision)
        <Textarea id="reject-text" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <div className="flex gap-2">
        <Button id="reject-confirm" disabled={busy || !reason.trim()} onClick={() => send("confirm_reject")}>Reject</Button>
        <Button id="reject-cancel" variant="outline" disabled={busy} onClick={() => send("cancel_reject")}>Cancel</Button>
      </div>
    </div>
  );
}
