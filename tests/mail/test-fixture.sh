#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The mail fixture itself: a message submitted to Postfix (STARTTLS + AUTH)
# reaches Dovecot over LMTP and comes back byte for byte over IMAPS, with
# CONDSTORE and QRESYNC offered; the plaintext-only variant offers no
# STARTTLS; stopping leaves no daemon behind. TAP output.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixture=${MAIL_FIXTURE:-$here/mail-fixture}

if [ "$(id -u)" -ne 0 ] || [ ! -x /usr/sbin/dovecot ] || [ ! -x /usr/lib/postfix/sbin/master ]; then
  echo "1..0 # SKIP needs root and Dovecot/Postfix (build-aux/install-deps)"; exit 0
fi
echo "1..8"
D=$(mktemp -d); P=$(mktemp -d); R=$(mktemp -d); W=$(mktemp -d)
cleanup() {
  local d
  for d in "$D" "$P" "$R"; do "$fixture" stop "$d" >/dev/null 2>&1 || true; done
  rm -rf "$D" "$P" "$R" "$W"
}
trap cleanup EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; exit 1; }

"$fixture" start "$D" --watch $$ || fail "start"
. "$D/env"
msg="$D/msg.eml"
{
  printf 'From: Laboratoire <labo@bio.mssante.fr>\r\nTo: alice@cabinet.test\r\n'
  printf 'Date: Sat, 05 Dec 2026 09:00:00 +0100\r\nSubject: fixture\r\nMessage-ID: <fixture-%s@cabinet.test>\r\n' "$$"
  printf 'MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  head -c 3000 /dev/urandom | base64 | sed 's/$/\r/'
} > "$msg"
"$fixture" send "$D" "$msg" || fail "send"
got="$D/got.eml"
for i in $(seq 100); do
  curl -sS --cacert "$CA_FILE" --user alice:secret "imaps://127.0.0.1:$IMAPS_PORT/INBOX;UID=1" -o "$got" 2>/dev/null && break
  sleep 0.05
done
# Delivery adds trace headers on top: the message itself follows them intact.
if tail -c "$(stat -c %s "$msg")" "$got" | cmp -s - "$msg"; then ok "SMTP -> LMTP -> IMAPS round trip"; else fail "round trip"; fi
caps=$(curl -sS --cacert "$CA_FILE" --user alice:secret "imaps://127.0.0.1:$IMAPS_PORT/" -X CAPABILITY)
case $caps in *CONDSTORE*QRESYNC*) ok "CONDSTORE and QRESYNC offered" ;; *) fail "capabilities" ;; esac
if curl -sS --cacert "$CA_FILE" --user alice:secret "imaps://127.0.0.2:$IMAPS_PORT/" -X CAPABILITY >/dev/null 2>&1; then
  fail "127.0.0.2 must not match the certificate"; else ok "127.0.0.2 serves a certificate for another name"; fi

# Started as the benchmarks start it too: its daemons at nice 19.
CABINET_MAIL_FIXTURE_NICE=19 "$fixture" start "$P" --plaintext-only --watch $$ || fail "start plaintext-only"
. "$P/env"
if curl -sS --ssl-reqd --user alice:secret "imap://127.0.0.1:$IMAP_PORT/" -X CAPABILITY >/dev/null 2>&1; then
  fail "plaintext-only offered STARTTLS"; else ok "plaintext-only variant offers no STARTTLS"; fi
niced=$(ps -o ni= -g "$(cat "$P/dovecot.pid")" -g "$(cat "$P/postfix.pid")" | tr -d ' ' | sort -u)
[ "$niced" = 19 ] && ok "CABINET_MAIL_FIXTURE_NICE=19: the daemons and their children at nice 19" ||
  fail "CABINET_MAIL_FIXTURE_NICE=19 gave nice '$niced'"

pids="$(cat "$D/dovecot.pid" "$D/postfix.pid" "$P/dovecot.pid" "$P/postfix.pid")"
"$fixture" stop "$D"; "$fixture" stop "$P"
# One ps for all: a process left in one of the daemons' groups, not a zombie.
left=$(ps -e -o pgid=,stat= | awk -v groups=" $(echo $pids) " \
  'index(groups, " " $1 " ") && $2 !~ /^Z/ { n++ } END { print n + 0 }')
[ "$left" -eq 0 ] && ok "no daemon left after stop" || fail "$left processes left"

# A port taken between its choice and the bind: the fixture starts again on
# other ports (here a Dovecot that fails once as a taken port makes it).
cat > "$W/dovecot" <<EOF
#!/bin/sh
if [ ! -e "$W/tried" ]; then
  touch "$W/tried"
  echo "Fatal: bind(127.0.0.1, 1) failed: Address already in use" >&2
  exit 89
fi
exec /usr/sbin/dovecot "\$@"
EOF
chmod +x "$W/dovecot"
if DOVECOT="$W/dovecot" "$fixture" start "$R" --watch $$ 2>"$W/err" && grep -q "starting again" "$W/err"; then
  ok "a port taken at start-up: started again on other ports"; else cat "$W/err" >&2; fail "start after a port taken"; fi
"$fixture" stop "$R"

# A server that cannot start at all: the start fails (the tests then fail,
# never skip), at once, with nothing left running.
F=$(mktemp -d)
if DOVECOT=/bin/false "$fixture" start "$F" 2>"$W/err2"; then
  "$fixture" stop "$F"; rm -rf "$F"; fail "a server that cannot start was reported started"
fi
"$fixture" stop "$F" >/dev/null 2>&1 || true; rm -rf "$F"
grep -q "did not start" "$W/err2" && ok "a server that cannot start fails the start" || fail "no reason given"
