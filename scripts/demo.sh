#!/bin/sh
# demo.sh: the command-line walk-through behind `make demo`.  Creates the
# database (with the bundled data) on first use, then shows the 2021-11-25
# change to Israel's offensive-cyber list and the 37 countries left on it;
# then, in a
# demo database recreated on every run, the licensing workflow and the
# impact of that change on live licences; then the audit log of that demo:
# verified, checkpointed, and one event proved to an outsider who holds
# nothing but the proof and the public key.
set -eu
EXPORTCTL=$1
DB=$2
[ -f "$DB" ] || echo "creating $DB with the bundled data"
echo
echo "== What changed in il-cyber-marketing on 2021-11-25 =="
"$EXPORTCTL" --db "$DB" list diff il-cyber-marketing --from 2021-11-24 --to 2021-11-25
echo
echo "== The members on 2021-11-25 =="
"$EXPORTCTL" --db "$DB" list show il-cyber-marketing --at 2021-11-25
echo
echo "== May 4D004 (intrusion software) be marketed to a Moroccan government end user? =="
for d in 2021-11-24 2021-11-26; do
    printf '%s: ' "$d"
    "$EXPORTCTL" --db "$DB" --json check --regime il --item 4D004 --to MA --activity marketing \
        --end-user-type government --date "$d" --no-record | sed -n 's/^  "outcome": "\(.*\)",$/\1/p'
done
echo
DEMO=${DB%.db}-licensing-demo.db
rm -f "$DEMO" "$DEMO-wal" "$DEMO-shm" "$DEMO.key" "$DEMO.proof.json"
echo "== Licensing demo in $DEMO (recreated on every run) =="
sh "$(dirname "$0")/demo-licensing.sh" "$EXPORTCTL" "$DEMO"
echo
echo "== The audit log of the demo: every change above is an event, hash-chained and signed =="
"$EXPORTCTL" --db "$DEMO" audit log --subject LIC-000001
"$EXPORTCTL" --db "$DEMO" audit verify
"$EXPORTCTL" --db "$DEMO" audit checkpoint
SEQ=$("$EXPORTCTL" --db "$DEMO" --json audit log --subject LIC-000001 --type licence.suspend |
    sed -n 's/^    "seq": \([0-9]*\),$/\1/p' | head -n 1)
echo
echo "== An outsider checks that the suspension of LIC-000001 (event $SEQ) is in the published log =="
"$EXPORTCTL" --db "$DEMO" audit prove "$SEQ" --out "$DEMO.proof.json"
KEY=$("$EXPORTCTL" --db "$DEMO" audit key)
echo "public key: $KEY"
"$EXPORTCTL" audit verify-proof "$DEMO.proof.json" --key "$KEY"
echo
echo "Try: $EXPORTCTL --db $DB list ls"
echo "     $EXPORTCTL --db $DB country show MA"
echo "     $EXPORTCTL --db $DB list show il-cyber-marketing --at 2021-11-24 --json"
echo "     $EXPORTCTL --db $DB check --regime us-ear --item 4D004 --to IL --party 'NSO Group' --date 2022-06-01"
echo "     $EXPORTCTL --db $DEMO licence ls --at 2021-11-25"
echo "     $EXPORTCTL --db $DEMO --json impact --list il-cyber-marketing --version 4"
echo "     $EXPORTCTL --db $DEMO audit verify   (then try editing $DEMO with sqlite3 and verify again)"
