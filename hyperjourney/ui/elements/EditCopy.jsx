import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";

// The plan's copy as a form: subject and the editable body per variant; citations are [n] chips that stay in
// the text; the required footer or opt-out line is shown, not editable. Saving sends the edit to be checked.
export default function EditCopy() {
  const [variants, setVariants] = useState(props.variants.map((v) => ({ ...v })));
  const [busy, setBusy] = useState(false);
  const change = (i, key, value) =>
    setVariants(variants.map((v, j) => (j === i ? { ...v, [key]: value } : v)));
  const send = (name) => {
    setBusy(true);
    callAction({ name, payload: { run_id: props.run_id, variants } }).finally(() => setBusy(false));
  };
  return (
    <div className="flex flex-col gap-4 w-full" id="edit-copy">
      {variants.map((v, i) => (
        <div key={i} className="flex flex-col gap-2 border rounded-md p-3">
          <div className="font-semibold">Variant {i + 1} · {v.channel}</div>
          {v.subject !== null && v.subject !== undefined && (
            <label className="flex flex-col gap-1 text-sm">
              Subject
              <Input id={`edit-subject-${i}`} value={v.subject} onChange={(e) => change(i, "subject", e.target.value)} />
            </label>
          )}
          <label className="flex flex-col gap-1 text-sm">
            Message
            <Textarea id={`edit-body-${i}`} rows={Math.min(14, v.editable.split("\n").length + 2)}
              value={v.editable} onChange={(e) => change(i, "editable", e.target.value)} />
          </label>
          <div className="flex flex-wrap gap-1 text-xs">
            {props.sources.map((s) => (
              <span key={s.n} className="rounded-full border px-2 py-0.5" title={s.citation_id}>
                [{s.n}] {s.title}
              </span>
            ))}
          </div>
          {v.fixed && (
            <div className="text-xs text-muted-foreground border-l-2 pl-2" id={`edit-fixed-${i}`}>
              Kept as is (required): {v.fixed}
            </div>
          )}
        </div>
      ))}
      <div className="flex gap-2">
        <Button id="edit-save" disabled={busy} onClick={() => send("save_edit")}>Check and save</Button>
        <Button id="edit-cancel" variant="outline" disabled={busy} onClick={() => send("cancel_edit")}>Cancel</Button>
      </div>
    </div>
  );
}
