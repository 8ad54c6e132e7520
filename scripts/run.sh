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
echo "Try: $EXPORTCTL --db $DB list ls"
echo "     $EXPORTCTL --db $DB country show MA"
echo "     $EXPORTCTL --db $DB list show il-cyber-marketing --at 2021-11-24 --json"
