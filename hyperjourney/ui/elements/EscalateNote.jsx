import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";

// Escalate asks for a note: it goes first among the review item's reasons, for whoever takes the ticket.
export default function EscalateNote() {
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const send = (name) => {
    setBusy(true);
    callAction({ name, payload: { run_id: props.run_id, note } }).finally(() => setBusy(false));
  };
  return (
    <div className="flex flex-col gap-2 w-full" id="escalate-note">
      <label className="flex flex-col gap-1 text-sm">
        Note for the person who takes it over
        <Textarea id="escalate-text" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="flex gap-2">
        <Button id="escalate-confirm" disabled={busy} onClick={() => send("confirm_escalate")}>Escalate</Button>
        <Button id="escalate-cancel" variant="outline" disabled={busy} onClick={() => send("cancel_escalate")}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
