#!/bin/sh
# run.sh: exportctl's main job for `make run`.  Creates the database (with
# the bundled data) on first use, then shows the 2021-11-25 change to
# Israel's offensive-cyber list and the 37 countries left on it.
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
echo "Try: $EXPORTCTL --db $DB list ls"
echo "     $EXPORTCTL --db $DB country show MA"
echo "     $EXPORTCTL --db $DB list show il-cyber-marketing --at 2021-11-24 --json"
echo "     $EXPORTCTL --db $DB check --regime us-ear --item 4D004 --to IL --party 'NSO Group' --date 2022-06-01"
