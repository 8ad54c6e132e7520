#!/bin/sh
# demo-licensing.sh BINARY DB: the licensing workflow and the impact of a
# policy change, through the real CLI.  Sets up users (an admin, two
# officers, an exporter organisation and its user), files export
# applications dated 2021-09-01 for 4D004 (intrusion-software tools) under
# Israel's regime to government end users in MA, SA, AE, MX, FR and JP,
# takes them through submission, review and approval (licences valid
# 2021-09-01 to 2023-08-31), then shows which licences the 2021-11-25 cut of
# il-cyber-marketing makes stricter and suspends exactly those: MA SA AE MX.
#
# The demo needs a database without licensing users: when DB already has
# some, it runs in a fresh database next to it (DB.licensing-demo),
# recreated on every run.
set -eu
EXPORTCTL=$1
DB=$2

if [ -f "$DB" ] && "$EXPORTCTL" --db "$DB" user ls 2>/dev/null | grep -q '^[a-z]'; then
    DB="$DB.licensing-demo"
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
    echo "(the database already has licensing users: the demo runs in a fresh $DB)"
fi

x() {
    "$EXPORTCTL" --db "$DB" "$@"
}

echo "== Actors: an admin (the first user), two officers, an exporter organisation and its user =="
x --as admin user add admin --role admin
x --as admin user add officer-a --role officer
x --as admin user add officer-b --role officer
x --as admin org add acme-cyber --name "Acme Cyber Ltd" --country IL
x --as admin user add exporter --role exporter --org acme-cyber
echo
echo "== Export applications of 4D004 to government end users, dated 2021-09-01 (regime il) =="
for cc in MA SA AE MX FR JP; do
    id=$(x --as exporter application create --type export --regime il --exporter acme-cyber --item 4D004 --to "$cc" \
        --end-user "National Police of $cc|$cc|government" --end-use "investigation of serious crime and terrorism" \
        --value 2500000 --currency USD --date 2021-09-01 | sed 's/ .*//')
    x --as exporter application submit "$id" >/dev/null
    x --as officer-a application review "$id" >/dev/null
    x --as officer-b application approve "$id" --valid-from 2021-09-01 --valid-until 2023-08-31 \
        --note "government end user; marketing exempt on 2021-09-01"
done
echo
x application ls
echo
echo "== Licences on 2021-11-24 =="
x licence ls --at 2021-11-24
echo
# the bundled version of il-cyber-marketing that took effect on 2021-11-25
vid=$(x --json list history il-cyber-marketing |
    awk '/"id":/ { gsub(/[^0-9]/, "", $2); id = $2 } /"effective_from": "2021-11-25"/ { v = id } END { print v }')
echo "== Impact of il-cyber-marketing version $vid (2021-11-25: 102 countries cut to 37) - dry run =="
rc=0
x --as officer-a impact --list il-cyber-marketing --version "$vid" || rc=$?
[ "$rc" -eq 3 ] || { echo "expected exit 3 (licences affected), got $rc" >&2; exit 1; }
echo
echo "== The same, applied: suspend every licence made stricter, in one transaction =="
x --as officer-a impact --list il-cyber-marketing --version "$vid" --apply suspend \
    --reason "Destination removed from DECA's marketing-licence exemption list on 2021-11-25: a marketing licence is now required"
echo
echo "== Licences on 2021-11-25 =="
x licence ls --at 2021-11-25
suspended=$(x --csv licence ls --at 2021-11-25 --status suspended | awk -F, 'NR > 1 { printf "%s%s", s, $6; s = " " }')
active=$(x --csv licence ls --at 2021-11-25 --status active | awk -F, 'NR > 1 { printf "%s%s", s, $6; s = " " }')
echo "suspended: $suspended; active: $active"
[ "$suspended" = "MA SA AE MX" ] && [ "$active" = "FR JP" ] || { echo "unexpected result" >&2; exit 1; }
echo
echo "== The notice on the Moroccan licence =="
lic=$(x --csv licence ls --at 2021-11-25 | awk -F, '$6 == "MA" { print $1 }')
x licence show "$lic" --history
echo
echo "Try: $EXPORTCTL --db $DB --json impact --list il-cyber-marketing --version $vid   (before/after traces)"
echo "     $EXPORTCTL --db $DB application show APP-000001 --history"
echo "     $EXPORTCTL --db $DB criteria ls"
