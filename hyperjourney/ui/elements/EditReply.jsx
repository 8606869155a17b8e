import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";

// The copilot's reply as a form: citations are [n] chips that stay in the text. Saving sends it to be checked
// by the guardrails; the card then shows it, or the words they refused.
export default function EditReply() {
  const [body, setBody] = useState(props.body);
  const [busy, setBusy] = useState(false);
  const send = (name) => {
    setBusy(true);
    callAction({ name, payload: { run_id: props.run_id, body } }).finally(() => setBusy(false));
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
        <Button id="edit-reply-save" disabled={busy} onClick={() => send("save_reply")}>Check and save</Button>
        <Button id="edit-reply-cancel" variant="outline" disabled={busy} onClick={() => send("cancel_reply_edit")}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
