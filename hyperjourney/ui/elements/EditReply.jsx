import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";

// A reply (the copilot's draft, or a reply or copy waiting in the review queue) as a form: citations are [n] chips that stay in the text. Saving sends it to be checked
// by the guardrails; the card then shows it, or the words they refused.
export default function EditReply() {
  const [body, setBody] = useState(props.body);
  const [busy, setBusy] = useState(false);
  // the copilot's draft (run_id) or a review item's copy (item_id: saved as a queue edit)
  const queued = Boolean(props.item_id);
  const send = (name) => {
    setBusy(true);
    callAction({ name, payload: { run_id: props.run_id, item_id: props.item_id, body } }).finally(() => setBusy(false));
  };
  return (
    <div className="flex flex-col gap-2 w-full" id="edit-reply">
      <label className="flex flex-col gap-1 text-sm">
        Reply
        <Textarea id="edit-reply-body" rows={Math.min(16, body.split("\n").length + 2)} value={body}
          onChange={(e) => setBody(e.target.value)} />
      </label>
      <div className="flex flex-wrap gap-1 text-xs">
        {props.sources.map((s) => (
          <span key={s.n} className="rounded-full border px-2 py-0.5" title={s.citation_id}>
            [{s.n}] {s.title}
          </span>
        ))}
      </div>
      <div className="flex gap-2">
        <Button id="edit-reply-save" disabled={busy} onClick={() => send(queued ? "save_queue_edit" : "save_reply")}>Check and save</Button>
        <Button id="edit-reply-cancel" variant="outline" disabled={busy} onClick={() => send(queued ? "cancel_queue_edit" : "cancel_reply_edit")}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
