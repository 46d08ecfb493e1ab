/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-store"

#include "config.h"

#include "cab-store-private.h"

/* Numbered migrations: migrations[i] takes the schema from version i to i + 1
 * (PRAGMA user_version). Never edit a released one: append a new one. */
static const char * const migrations[] = {
  /* 1: resources, the tables the consultation desk reads, sync state, audit. */
  /* Every resource as received, beside the columns the UI sorts and filters on. */
  "CREATE TABLE resources ("
  "  type         TEXT NOT NULL,"
  "  id           TEXT NOT NULL,"
  "  version_id   TEXT,"
  "  last_updated TEXT,"
  "  patient_id   TEXT,"
  "  json         TEXT NOT NULL,"
  "  PRIMARY KEY (type, id)"
  ");"
  "CREATE INDEX resources_patient ON resources (patient_id);"

  /* search_names: folded names (' dupont martin jean pierre '), search_dates:
   * ' dd/mm/yyyy yyyy-mm-dd ', sort_key: folded family then given. */
  "CREATE TABLE patients ("
  "  id              TEXT PRIMARY KEY NOT NULL,"
  "  ins             TEXT,"
  "  ins_system      TEXT,"
  "  identity_status TEXT,"
  "  family          TEXT,"
  "  birth_name      TEXT,"
  "  given           TEXT,"
  "  sex             TEXT,"
  "  birth_date      TEXT,"
  "  birth_place     TEXT,"
  "  gp_reference    TEXT,"
  "  last_updated    TEXT,"
  "  sort_key        TEXT NOT NULL DEFAULT '',"
  "  search_names    TEXT NOT NULL DEFAULT '',"
  "  search_dates    TEXT NOT NULL DEFAULT ''"
  ");"
  "CREATE INDEX patients_sort ON patients (sort_key, id);"
  "CREATE INDEX patients_ins ON patients (ins);"
  "CREATE INDEX patients_gp ON patients (gp_reference);"

  /* docid: a stable integer key for the full-text index (an implicit rowid
   * may change on VACUUM). first_seen: when the entry arrived here, for
   * "new since last opened". */
  "CREATE TABLE documents ("
  "  docid             INTEGER PRIMARY KEY,"
  "  id                TEXT NOT NULL UNIQUE,"
  "  patient_id        TEXT,"
  "  status            TEXT,"
  "  type_code         TEXT,"
  "  type_display      TEXT,"
  "  category_code     TEXT,"
  "  title             TEXT,"
  "  description       TEXT,"
  "  author_reference  TEXT,"
  "  author_display    TEXT,"
  "  custodian_display TEXT,"
  "  date              TEXT,"
  "  period_start      TEXT,"
  "  security_labels   TEXT,"
  "  is_archived       INTEGER NOT NULL DEFAULT 0,"
  "  content_type      TEXT,"
  "  url               TEXT,"
  "  size              INTEGER,"
  "  hash              TEXT,"
  "  study_uid         TEXT,"
  "  is_kos            INTEGER NOT NULL DEFAULT 0,"
  "  replaces_id       TEXT,"
  "  local_path        TEXT,"
  "  origin            TEXT NOT NULL DEFAULT 'dmp',"
  "  sort_date         TEXT,"
  "  text_extracted    INTEGER NOT NULL DEFAULT 0,"
  "  last_updated      TEXT,"
  "  first_seen        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
  ");"
  "CREATE INDEX documents_timeline ON documents (patient_id, sort_date DESC, id);"
  "CREATE INDEX documents_study ON documents (study_uid, is_kos) WHERE study_uid IS NOT NULL;"

  /* Extracted text lives apart so timeline scans stay on small rows. */
  "CREATE TABLE document_texts ("
  "  docid INTEGER PRIMARY KEY,"
  "  text  TEXT"
  ");"

  /* External-content FTS5 over a view of documents + their text, kept in
   * sync by the triggers below (title/author/custodian) and by
   * cab_store_set_document_content (text), always in the writer's transaction. */
  "CREATE VIEW documents_fts_content AS"
  "  SELECT d.docid AS docid, d.title AS title, d.author_display AS author,"
  "         d.custodian_display AS custodian, t.text AS text"
  "  FROM documents d LEFT JOIN document_texts t ON t.docid = d.docid;"
  "CREATE VIRTUAL TABLE documents_fts USING fts5 ("
  "  title, author, custodian, text,"
  "  content = 'documents_fts_content', content_rowid = 'docid',"
  "  tokenize = 'unicode61 remove_diacritics 2'"
  ");"
  /* Ranking: a word in the title counts most, then author, custodian, text. */
  "INSERT INTO documents_fts (documents_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 2.0, 1.0)');"
  "CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN"
  "  INSERT INTO documents_fts (rowid, title, author, custodian, text)"
  "  VALUES (new.docid, new.title, new.author_display, new.custodian_display,"
  "          (SELECT text FROM document_texts WHERE docid = new.docid));"
  "END;"
  "CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN"
  "  INSERT INTO documents_fts (documents_fts, rowid, title, author, custodian, text)"
  "  VALUES ('delete', old.docid, old.title, old.author_display, old.custodian_display,"
  "          (SELECT text FROM document_texts WHERE docid = old.docid));"
  "  DELETE FROM document_texts WHERE docid = old.docid;"
  "END;"
  "CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, author_display, custodian_display"
  "  ON documents"
  "  WHEN old.title IS NOT new.title"
  "    OR old.author_display IS NOT new.author_display"
  "    OR old.custodian_display IS NOT new.custodian_display BEGIN"
  "  INSERT INTO documents_fts (documents_fts, rowid, title, author, custodian, text)"
  "  VALUES ('delete', old.docid, old.title, old.author_display, old.custodian_display,"
  "          (SELECT text FROM document_texts WHERE docid = old.docid));"
  "  INSERT INTO documents_fts (rowid, title, author, custodian, text)"
  "  VALUES (new.docid, new.title, new.author_display, new.custodian_display,"
  "          (SELECT text FROM document_texts WHERE docid = new.docid));"
  "END;"

  /* One row per value (a panel gives one per component). */
  "CREATE TABLE observations ("
  "  resource_id    TEXT NOT NULL,"
  "  code           TEXT NOT NULL,"
  "  patient_id     TEXT,"
  "  display        TEXT,"
  "  effective      TEXT,"
  "  value          REAL,"
  "  unit           TEXT,"
  "  value_string   TEXT,"
  "  low            REAL,"
  "  high           REAL,"
  "  interpretation TEXT,"
  "  document_id    TEXT,"
  "  PRIMARY KEY (resource_id, code)"
  ");"
  "CREATE INDEX observations_series ON observations (patient_id, code, effective);"
  "CREATE INDEX observations_document ON observations (document_id) WHERE document_id IS NOT NULL;"

  "CREATE TABLE conditions ("
  "  id              TEXT PRIMARY KEY NOT NULL,"
  "  patient_id      TEXT,"
  "  code            TEXT,"
  "  system          TEXT,"
  "  display         TEXT,"
  "  clinical_status TEXT,"
  "  onset           TEXT,"
  "  ald             INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX conditions_patient ON conditions (patient_id);"

  "CREATE TABLE medication_requests ("
  "  id                  TEXT PRIMARY KEY NOT NULL,"
  "  patient_id          TEXT,"
  "  status              TEXT,"
  "  authored_on         TEXT,"
  "  medication_code     TEXT,"
  "  medication_display  TEXT,"
  "  dosage_text         TEXT,"
  "  requester_reference TEXT"
  ");"
  "CREATE INDEX medication_requests_patient ON medication_requests (patient_id, authored_on);"

  "CREATE TABLE practitioners ("
  "  id       TEXT PRIMARY KEY NOT NULL,"
  "  idnat_ps TEXT,"
  "  rpps     TEXT,"
  "  family   TEXT,"
  "  given    TEXT,"
  "  prefix   TEXT"
  ");"
  "CREATE INDEX practitioners_idnat ON practitioners (idnat_ps);"

  "CREATE TABLE organizations ("
  "  id         TEXT PRIMARY KEY NOT NULL,"
  "  name       TEXT,"
  "  identifier TEXT"
  ");"

  "CREATE TABLE sync_state ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT"
  ") WITHOUT ROWID;"

  "CREATE TABLE patient_sync ("
  "  patient_id TEXT PRIMARY KEY NOT NULL,"
  "  synced_at  TEXT,"
  "  opened_at  TEXT"
  ") WITHOUT ROWID;"

  "CREATE TABLE audit ("
  "  seq           INTEGER PRIMARY KEY,"
  "  ts            TEXT NOT NULL,"
  "  action        TEXT NOT NULL,"
  "  resource_type TEXT,"
  "  resource_id   TEXT"
  ");"
  "CREATE INDEX audit_ts ON audit (ts);",

  /* 2: the outbox (docs/architecture.md, principle 2). One row per user action, inserted in the
   * same transaction as its local effect, never deleted. next_attempt_at in
   * unix µs; failures: consecutive transient failures (the backoff level). */
  "CREATE TABLE outbox ("
  "  id              INTEGER PRIMARY KEY,"
  "  kind            TEXT NOT NULL,"
  "  patient_id      TEXT,"
  "  document_id     TEXT,"
  "  state           TEXT NOT NULL,"
  "  key             TEXT NOT NULL UNIQUE,"
  "  depends_on      INTEGER REFERENCES outbox (id),"
  "  payload         TEXT NOT NULL,"
  "  attempts        INTEGER NOT NULL DEFAULT 0,"
  "  failures        INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
  "  last_error      TEXT,"
  "  server_id       TEXT,"
  "  server_version  TEXT,"
  "  conflict_json   TEXT,"
  "  created_at      TEXT NOT NULL,"
  "  updated_at      TEXT NOT NULL"
  ");"
  "CREATE INDEX outbox_state ON outbox (state, next_attempt_at);"
  "CREATE INDEX outbox_patient ON outbox (patient_id, id);"
  "CREATE INDEX outbox_document ON outbox (document_id) WHERE document_id IS NOT NULL;"
  /* The drain's "first open entry of each patient". */
  "CREATE INDEX outbox_open ON outbox (patient_id, id) WHERE state IN ('pending', 'sending');",

  /* 3: the drug database (src/prescribing/, docs/architecture.md "Drug
   * database") and the patients' allergies. The drug tables are replaced
   * whole by each import, in one transaction; nothing else refers to their
   * rows, so a written prescription keeps its own labels. */
  "CREATE TABLE drug_imports ("
  "  source      TEXT PRIMARY KEY NOT NULL,"   /* 'bdpm' or 'thesaurus' */
  "  imported_at TEXT NOT NULL,"
  "  origin      TEXT,"
  "  report      TEXT"                         /* the import report, JSON */
  ") WITHOUT ROWID;"
  /* search_rank: 0 for commercialised medicines, 1 for the others. */
  "CREATE TABLE drugs ("
  "  id             INTEGER PRIMARY KEY,"
  "  cis            TEXT NOT NULL UNIQUE,"
  "  name           TEXT NOT NULL,"
  "  form           TEXT,"
  "  routes         TEXT,"
  "  amm_status     TEXT,"
  "  procedure      TEXT,"
  "  commercialised INTEGER NOT NULL,"
  "  amm_date       TEXT,"
  "  holder         TEXT,"
  "  surveillance   INTEGER NOT NULL DEFAULT 0,"
  "  generic_group  TEXT,"
  "  generic_label  TEXT,"
  "  generic_type   INTEGER"
  ");"
  "CREATE TABLE drug_presentations ("
  "  cip13              TEXT PRIMARY KEY NOT NULL,"
  "  cis                TEXT NOT NULL,"
  "  cip7               TEXT,"
  "  label              TEXT,"
  "  status             TEXT,"
  "  commercialised     INTEGER NOT NULL,"
  "  date               TEXT,"
  "  collectivities     INTEGER,"
  "  reimbursement_rate TEXT,"
  "  price              TEXT"
  ") WITHOUT ROWID;"
  "CREATE INDEX drug_presentations_cis ON drug_presentations (cis);"
  /* substance_key: the name folded, salt in parentheses dropped: the key
   * to the thesaurus (drug_substance_links) and to allergies. */
  "CREATE TABLE drug_compositions ("
  "  cis                TEXT NOT NULL,"
  "  seq                INTEGER NOT NULL,"
  "  element            TEXT,"
  "  substance_code     TEXT,"
  "  substance_name     TEXT NOT NULL,"
  "  substance_key      TEXT NOT NULL,"
  "  strength           TEXT,"
  "  strength_reference TEXT,"
  "  nature             TEXT,"
  "  link               INTEGER,"
  "  PRIMARY KEY (cis, seq)"
  ") WITHOUT ROWID;"
  "CREATE INDEX drug_compositions_key ON drug_compositions (substance_key);"
  "CREATE TABLE drug_generics ("
  "  group_id TEXT NOT NULL,"
  "  label    TEXT,"
  "  cis      TEXT NOT NULL,"
  "  type     INTEGER,"
  "  rank     INTEGER"
  ");"
  "CREATE INDEX drug_generics_cis ON drug_generics (cis);"
  "CREATE TABLE drug_conditions ("
  "  cis       TEXT NOT NULL,"
  "  condition TEXT NOT NULL"
  ");"
  "CREATE INDEX drug_conditions_cis ON drug_conditions (cis);"
  /* Search as you type: folded brand name, substances, CIS and CIP13s. */
  "CREATE VIRTUAL TABLE drugs_fts USING fts5 ("
  "  name, substances, codes,"
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'"
  ");"

  /* The ANSM thesaurus: protagonists are substances or classes. */
  "CREATE TABLE thesaurus_interactions ("
  "  id            INTEGER PRIMARY KEY,"
  "  protagonist1  TEXT NOT NULL,"
  "  protagonist2  TEXT NOT NULL,"
  "  level         INTEGER NOT NULL,"          /* CabInteractionLevel */
  "  levels        TEXT NOT NULL,"
  "  description   TEXT,"
  "  mechanism     TEXT,"
  "  conduct       TEXT"
  ");"
  "CREATE INDEX thesaurus_interactions_p1 ON thesaurus_interactions (protagonist1);"
  "CREATE INDEX thesaurus_interactions_p2 ON thesaurus_interactions (protagonist2);"
  "CREATE TABLE thesaurus_classes ("
  "  substance TEXT NOT NULL,"
  "  class     TEXT NOT NULL,"
  "  PRIMARY KEY (substance, class)"
  ") WITHOUT ROWID;"
  /* key: the name folded like drug_compositions.substance_key. */
  "CREATE TABLE thesaurus_substances ("
  "  key  TEXT PRIMARY KEY NOT NULL,"
  "  name TEXT NOT NULL"
  ") WITHOUT ROWID;"
  /* BDPM substance key -> thesaurus substance, recomputed by each import;
   * thesaurus_name NULL: did not link (shown by `cabinetctl drugs status`). */
  "CREATE TABLE drug_substance_links ("
  "  substance_key  TEXT PRIMARY KEY NOT NULL,"
  "  thesaurus_name TEXT"
  ") WITHOUT ROWID;"

  /* AllergyIntolerance as synced; substance_key as in drug_compositions. */
  "CREATE TABLE allergies ("
  "  id                  TEXT PRIMARY KEY NOT NULL,"
  "  patient_id          TEXT,"
  "  clinical_status     TEXT,"
  "  verification_status TEXT,"
  "  type                TEXT,"
  "  category            TEXT,"
  "  criticality         TEXT,"
  "  code                TEXT,"
  "  system              TEXT,"
  "  display             TEXT,"
  "  substance_key       TEXT,"
  "  recorded            TEXT"
  ");"
  "CREATE INDEX allergies_patient ON allergies (patient_id);",

  /* 4: what the follow-up worklist filters on (docs/architecture.md,
   * "Follow-up"): an Observation's status and a Condition's verification
   * status, so entered-in-error ones are left out without reading each
   * resource's JSON. Filled from the stored resources for existing stores. */
  "ALTER TABLE observations ADD COLUMN status TEXT;"
  "ALTER TABLE conditions ADD COLUMN verification_status TEXT;"
  "UPDATE observations SET status = (SELECT json_extract (r.json, '$.status') FROM resources r"
  "  WHERE r.type = 'Observation' AND r.id = observations.resource_id);"
  "UPDATE conditions SET verification_status = (SELECT json_extract (r.json,"
  "  '$.verificationStatus.coding[0].code') FROM resources r"
  "  WHERE r.type = 'Condition' AND r.id = conditions.id);"
  "CREATE INDEX conditions_code ON conditions (code);",

  /* 5: offline documents (docs/architecture.md, "Prefetch"). One row per
   * content on disk (documents.local_path set): its size, whether it was
   * prefetched or asked for, and when it was cached and last read (unix
   * seconds), for the disk budget's least-recently-used eviction. Pins
   * outlive the content they keep. Contents already there count as opened. */
  "CREATE TABLE document_cache ("
  "  document_id  TEXT PRIMARY KEY NOT NULL,"
  "  size         INTEGER NOT NULL,"
  "  source       TEXT NOT NULL,"
  "  cached_at    INTEGER NOT NULL,"
  "  last_read_at INTEGER"
  ") WITHOUT ROWID;"
  "CREATE TABLE document_pins ("
  "  document_id TEXT PRIMARY KEY NOT NULL"
  ") WITHOUT ROWID;"
  "INSERT INTO document_cache (document_id, size, source, cached_at)"
  "  SELECT id, coalesce (size, 0), 'opened', CAST (strftime ('%s', 'now') AS INTEGER)"
  "  FROM documents WHERE local_path IS NOT NULL;",

  /* 6: prescriptions as written, with the labels of the drug database of
   * the day (docs/domain.md, "Prescriptions"); document_id: the printed
   * copy in the timeline. Inserted with their outbox entries. */
  "CREATE TABLE prescriptions ("
  "  id          TEXT PRIMARY KEY NOT NULL,"
  "  patient_id  TEXT NOT NULL,"
  "  authored_on TEXT NOT NULL,"
  "  json        TEXT NOT NULL,"
  "  document_id TEXT,"
  "  created_at  TEXT NOT NULL"
  ");"
  "CREATE INDEX prescriptions_patient ON prescriptions (patient_id, authored_on);",

  /* 7: the MSSanté inbox (docs/architecture.md, "Mail"). mail_folders holds
   * each synced folder's watermark (UIDVALIDITY, last UID, HIGHESTMODSEQ),
   * committed with the batch it ends. A message is one row whatever its
   * UID: message_key (Message-ID and body hash) stays when the server
   * renumbers (UIDVALIDITY change), so a re-sync updates uid, never
   * duplicates. Its raw bytes are a file in the data directory (raw_path);
   * the match columns are cab-mail-match.c's answer; mail_documents lists
   * XDM documents and attachments; mail_fts indexes subject, sender, body
   * and attachment names. */
  "CREATE TABLE mail_folders ("
  "  account       TEXT NOT NULL,"
  "  mailbox       TEXT NOT NULL,"
  "  uidvalidity   INTEGER NOT NULL,"
  "  last_uid      INTEGER NOT NULL,"
  "  highestmodseq INTEGER NOT NULL DEFAULT 0,"
  "  synced_at     INTEGER,"
  "  PRIMARY KEY (account, mailbox)"
  ") WITHOUT ROWID;"
  "CREATE TABLE mail_messages ("
  "  id               INTEGER PRIMARY KEY,"
  "  account          TEXT NOT NULL,"
  "  mailbox          TEXT NOT NULL,"
  "  uidvalidity      INTEGER NOT NULL,"
  "  uid              INTEGER NOT NULL,"
  "  message_key      TEXT NOT NULL,"
  "  message_id       TEXT,"
  "  body_hash        TEXT NOT NULL,"
  "  date             INTEGER,"
  "  from_display     TEXT,"
  "  from_address     TEXT,"
  "  subject          TEXT,"
  "  size             INTEGER NOT NULL,"
  "  raw_path         TEXT NOT NULL,"
  "  status           TEXT NOT NULL DEFAULT 'new',"
  "  match_state      TEXT NOT NULL,"
  "  match_reason     TEXT NOT NULL,"
  "  match_ins        TEXT,"
  "  match_patient_id TEXT,"
  "  match_candidates TEXT NOT NULL DEFAULT '',"
  "  match_disagreeing INTEGER NOT NULL DEFAULT 0,"
  "  mss_ins          TEXT,"
  "  mss_codecda      TEXT,"
  "  mss_fin          INTEGER NOT NULL DEFAULT 0,"
  "  smime_signed     INTEGER NOT NULL DEFAULT 0,"
  "  xdm_error        TEXT,"
  "  received_at      INTEGER NOT NULL,"
  "  UNIQUE (account, mailbox, message_key)"
  ");"
  "CREATE INDEX mail_messages_uid ON mail_messages (account, mailbox, uidvalidity, uid);"
  "CREATE INDEX mail_messages_list ON mail_messages (match_state, date DESC);"
  "CREATE TABLE mail_documents ("
  "  mail_id      INTEGER NOT NULL,"
  "  position     INTEGER NOT NULL,"
  "  source       TEXT NOT NULL,"
  "  filename     TEXT,"
  "  content_type TEXT,"
  "  size         INTEGER NOT NULL,"
  "  sha1         TEXT NOT NULL,"
  "  hash_ok      INTEGER NOT NULL,"
  "  type_code    TEXT,"
  "  type_display TEXT,"
  "  PRIMARY KEY (mail_id, position)"
  ") WITHOUT ROWID;"
  "CREATE VIRTUAL TABLE mail_fts USING fts5 ("
  "  subject, sender, body, attachments,"
  "  tokenize = 'unicode61 remove_diacritics 2'"
  ");",

  /* 8: secure messages out (docs/architecture.md, "Sending mail"). One row
   * per outbox entry of kind "mail": its Message-ID (fixed when queued),
   * how many attempts reached DATA, how many were sent again after such an
   * attempt without a trace in the Sent folder (the duplicate window),
   * when the server accepted it and with which reply, whether the Sent copy
   * is there, and the read receipt (RFC 8098) that came back. */
  "CREATE TABLE mail_sent ("
  "  entry_id        INTEGER PRIMARY KEY REFERENCES outbox (id),"
  "  message_id      TEXT NOT NULL UNIQUE,"
  "  data_started    INTEGER NOT NULL DEFAULT 0,"
  "  window_resends  INTEGER NOT NULL DEFAULT 0,"
  "  found_in_sent   INTEGER NOT NULL DEFAULT 0,"
  "  accepted_at     INTEGER,"
  "  reply           TEXT,"
  "  sent_copy       INTEGER NOT NULL DEFAULT 0,"
  "  read_at         INTEGER,"
  "  disposition     TEXT"
  ");",

  /* 9: outbox lanes and the inbox's triage (docs/architecture.md, "Outbox
   * kinds with their own transport" and "Triage"). outbox.lane orders the
   * entries of one thing that is not a patient (a message: "mail:<id>").
   * A message's triage: status (new, assigned, handled), the assignee
   * ("Practitioner/<id>"), the patient a person chose (triage_patient_id),
   * the triage keywords wanted here (keywords: the server's plus the
   * changes still in the outbox), and every keyword last read from the
   * server with the MODSEQ it had (server_keywords, server_modseq); keyword
   * lists are sorted and space-separated. A document is filed (to a
   * patient, as a local document) or dismissed with a reason.
   * mail_triage_log keeps each action's previous state, for undo. */
  "ALTER TABLE outbox ADD COLUMN lane TEXT;"
  "CREATE INDEX outbox_open_lane ON outbox (lane, id)"
  "  WHERE state IN ('pending', 'sending') AND lane IS NOT NULL;"
  "ALTER TABLE mail_messages ADD COLUMN assignee TEXT;"
  "ALTER TABLE mail_messages ADD COLUMN triage_patient_id TEXT;"
  "ALTER TABLE mail_messages ADD COLUMN keywords TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE mail_messages ADD COLUMN server_keywords TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE mail_messages ADD COLUMN server_modseq INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE mail_documents ADD COLUMN filed_patient_id TEXT;"
  "ALTER TABLE mail_documents ADD COLUMN filed_document_id TEXT;"
  "ALTER TABLE mail_documents ADD COLUMN dismissed_reason TEXT;"
  "CREATE TABLE mail_triage_log ("
  "  id         INTEGER PRIMARY KEY,"
  "  mail_id    INTEGER NOT NULL,"
  "  action     TEXT NOT NULL,"
  "  before     TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  undone     INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX mail_triage_log_mail ON mail_triage_log (mail_id, id);",

  /* 10: the text of a message's PDFs goes into mail_fts (attachments
   * column, after the names); text_state says how it went for each PDF
   * document: 'indexed', 'truncated' (page or size cap), 'unreadable'
   * (poppler could not open it: shown, the message still syncs); NULL for
   * a document that is not a PDF. */
  "ALTER TABLE mail_documents ADD COLUMN text_state TEXT;",

  /* 11: recipient completion (docs/architecture.md, "Sending mail:
   * directory and completion"). correspondents: every address the
   * practice's mail taught, with how often and when last; the triggers
   * learn an inbox message's sender and a queued message's recipients in
   * the transaction that stores them, so no code path can forget it.
   * Patients' own mailboxes (<INS>@patient.mssante.fr) are never learned:
   * one patient's address must not be offered for another's letter.
   * directory_entries: the national health directory's cached entries,
   * one per MSSanté address (cab-directory.c writes them; sort_key is the
   * folded name). Both indexed by FTS5 for prefix search, accents and case
   * folded. The stored From display is "Name <address>": the name alone
   * is kept. */
  "CREATE TABLE directory_entries ("
  "  id              INTEGER PRIMARY KEY,"
  "  address         TEXT NOT NULL UNIQUE,"
  "  display         TEXT NOT NULL,"
  "  sort_key        TEXT NOT NULL,"
  "  profession      TEXT,"
  "  organization    TEXT,"
  "  city            TEXT,"
  "  rpps            TEXT,"
  "  practitioner_id TEXT,"
  "  refreshed_at    INTEGER NOT NULL"
  ");"
  "CREATE INDEX directory_entries_rpps ON directory_entries (rpps);"
  "CREATE TABLE correspondents ("
  "  id             INTEGER PRIMARY KEY,"
  "  address        TEXT NOT NULL UNIQUE,"
  "  display        TEXT,"
  "  received_count INTEGER NOT NULL DEFAULT 0,"
  "  sent_count     INTEGER NOT NULL DEFAULT 0,"
  "  last_at        INTEGER NOT NULL DEFAULT 0"
  ");"
  /* Regular (not external-content) FTS tables: a trigger deletes a row by
   * rowid, never by restating its old values. */
  "CREATE VIRTUAL TABLE correspondents_fts USING fts5 ("
  "  display, address, city, profession, rpps,"
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'"
  ");"
  "CREATE TRIGGER correspondents_fts_insert AFTER INSERT ON correspondents BEGIN"
  "  INSERT INTO correspondents_fts (rowid, display, address, city, profession, rpps)"
  "    SELECT new.id, new.display, new.address, d.city, d.profession, d.rpps"
  "      FROM (SELECT 1) LEFT JOIN directory_entries d ON d.address = new.address;"
  "END;"
  "CREATE TRIGGER correspondents_fts_update AFTER UPDATE OF display ON correspondents"
  "  WHEN old.display IS NOT new.display BEGIN"
  "  DELETE FROM correspondents_fts WHERE rowid = old.id;"
  "  INSERT INTO correspondents_fts (rowid, display, address, city, profession, rpps)"
  "    SELECT new.id, new.display, new.address, d.city, d.profession, d.rpps"
  "      FROM (SELECT 1) LEFT JOIN directory_entries d ON d.address = new.address;"
  "END;"
  "CREATE TRIGGER correspondents_fts_delete AFTER DELETE ON correspondents BEGIN"
  "  DELETE FROM correspondents_fts WHERE rowid = old.id;"
  "END;"
  "CREATE TRIGGER mail_messages_correspondent AFTER INSERT ON mail_messages"
  "  WHEN new.from_address LIKE '_%@_%' AND length (new.from_address) <= 254"
  "   AND lower (new.from_address) NOT LIKE '%@patient.mssante.fr' BEGIN"
  "  INSERT INTO correspondents (address, display, received_count, last_at)"
  "  VALUES (lower (new.from_address),"
  "          nullif (substr (trim (CASE WHEN instr (new.from_display, '<') > 0"
  "                                     THEN substr (new.from_display, 1, instr (new.from_display, '<') - 1)"
  "                                     ELSE new.from_display END, ' \"'), 1, 200), ''),"
  "          1, coalesce (nullif (new.date, 0), new.received_at, 0))"
  "  ON CONFLICT (address) DO UPDATE SET received_count = received_count + 1,"
  "    last_at = max (last_at, excluded.last_at), display = coalesce (excluded.display, display);"
  "END;"
  "CREATE TRIGGER mail_sent_correspondents AFTER INSERT ON mail_sent BEGIN"
  "  INSERT INTO correspondents (address, sent_count, last_at)"
  "  SELECT lower (j.value), 1, coalesce (json_extract (o.payload, '$.date'), unixepoch ())"
  "    FROM outbox o, json_each (CASE WHEN json_valid (o.payload) THEN o.payload ELSE '{}' END, '$.to') j"
  "   WHERE o.id = new.entry_id AND j.type = 'text' AND j.value LIKE '_%@_%'"
  "     AND length (j.value) <= 254 AND lower (j.value) NOT LIKE '%@patient.mssante.fr'"
  "  ON CONFLICT (address) DO UPDATE SET sent_count = sent_count + 1,"
  "    last_at = max (last_at, excluded.last_at);"
  "END;"
  /* What the store already holds, learned once. */
  "INSERT INTO correspondents (address, display, received_count, last_at)"
  "  SELECT lower (from_address),"
  "         nullif (substr (trim (CASE WHEN instr (max (from_display), '<') > 0"
  "                                    THEN substr (max (from_display), 1, instr (max (from_display), '<') - 1)"
  "                                    ELSE max (from_display) END, ' \"'), 1, 200), ''),"
  "         count (*), max (coalesce (nullif (date, 0), received_at, 0))"
  "    FROM mail_messages"
  "   WHERE from_address LIKE '_%@_%' AND length (from_address) <= 254"
  "     AND lower (from_address) NOT LIKE '%@patient.mssante.fr'"
  "   GROUP BY lower (from_address);"
  "INSERT INTO correspondents (address, sent_count, last_at)"
  "  SELECT lower (j.value), count (*), max (coalesce (json_extract (o.payload, '$.date'), 0))"
  "    FROM mail_sent s JOIN outbox o ON o.id = s.entry_id,"
  "         json_each (CASE WHEN json_valid (o.payload) THEN o.payload ELSE '{}' END, '$.to') j"
  "   WHERE j.type = 'text' AND j.value LIKE '_%@_%' AND length (j.value) <= 254"
  "     AND lower (j.value) NOT LIKE '%@patient.mssante.fr'"
  "   GROUP BY lower (j.value)"
  "  ON CONFLICT (address) DO UPDATE SET sent_count = excluded.sent_count,"
  "    last_at = max (last_at, excluded.last_at);"
  "CREATE VIRTUAL TABLE directory_fts USING fts5 ("
  "  display, address, city, profession, rpps,"
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'"
  ");"
  /* A directory entry's city, profession and RPPS also find the learned
   * correspondent with its address: its FTS row is written again. */
  "CREATE TRIGGER directory_fts_insert AFTER INSERT ON directory_entries BEGIN"
  "  INSERT INTO directory_fts (rowid, display, address, city, profession, rpps)"
  "    VALUES (new.id, new.display, new.address, new.city, new.profession, new.rpps);"
  "  DELETE FROM correspondents_fts WHERE rowid = (SELECT id FROM correspondents WHERE address = new.address);"
  "  INSERT INTO correspondents_fts (rowid, display, address, city, profession, rpps)"
  "    SELECT c.id, c.display, c.address, new.city, new.profession, new.rpps"
  "      FROM correspondents c WHERE c.address = new.address;"
  "END;"
  "CREATE TRIGGER directory_fts_update AFTER UPDATE ON directory_entries BEGIN"
  "  DELETE FROM directory_fts WHERE rowid = old.id;"
  "  INSERT INTO directory_fts (rowid, display, address, city, profession, rpps)"
  "    VALUES (new.id, new.display, new.address, new.city, new.profession, new.rpps);"
  "  DELETE FROM correspondents_fts WHERE rowid IN"
  "    (SELECT id FROM correspondents WHERE address IN (old.address, new.address));"
  "  INSERT INTO correspondents_fts (rowid, display, address, city, profession, rpps)"
  "    SELECT c.id, c.display, c.address, d.city, d.profession, d.rpps"
  "      FROM correspondents c LEFT JOIN directory_entries d ON d.address = c.address"
  "     WHERE c.address IN (old.address, new.address);"
  "END;"
  "CREATE TRIGGER directory_fts_delete AFTER DELETE ON directory_entries BEGIN"
  "  DELETE FROM directory_fts WHERE rowid = old.id;"
  "  DELETE FROM correspondents_fts WHERE rowid = (SELECT id FROM correspondents WHERE address = old.address);"
  "  INSERT INTO correspondents_fts (rowid, display, address, city, profession, rpps)"
  "    SELECT c.id, c.display, c.address, NULL, NULL, NULL"
  "      FROM correspondents c WHERE c.address = old.address;"
  "END;",

  /* 12: the Inbox page lists newest first, all or by status
   * (docs/architecture.md, "The Inbox page"): its first screenful is read
   * from an index, not by sorting the whole table. */
  "CREATE INDEX mail_messages_date ON mail_messages (date, id);"
  "CREATE INDEX mail_messages_status_date ON mail_messages (status, date, id);",

  /* 13: triage another desk did, done here too (docs/architecture.md,
   * "Triage"). filing_state is NULL when the message's documents are
   * where its triage says; 'pending' when the server's keywords changed
   * what is filed (file here, or take back); else why this desk cannot
   * follow: 'unknown-patient' (no such patient in this store),
   * 'document-mismatch' (the bytes are not what the inbox listed). */
  "ALTER TABLE mail_messages ADD COLUMN filing_state TEXT;"
  "CREATE INDEX mail_messages_filing ON mail_messages (filing_state) WHERE filing_state IS NOT NULL;",
  /* 14: the composer's drafts (docs/architecture.md, "Sending mail",
   * "Drafts"). One row per message being written, saved as the user types
   * so that it survives a crash; payload is the draft as JSON (recipients,
   * subject, text, attachments, the message it answers); patient_id,
   * subject and updated_at are what the drafts list shows. The row goes in
   * the transaction that queues the message. */
  "CREATE TABLE mail_drafts ("
  "  id          INTEGER PRIMARY KEY,"
  "  patient_id  TEXT,"
  "  subject     TEXT NOT NULL DEFAULT '',"
  "  recipients  TEXT NOT NULL DEFAULT '',"
  "  payload     TEXT NOT NULL,"
  "  updated_at  INTEGER NOT NULL"
  ");",


  /* 15: read or unread as this desk made it (docs/architecture.md, "The
   * Inbox page"): seen_local is 1 (read) or 0 (unread) while that change
   * is on its way to the server (outbox lane "mailseen:<id>"), NULL once
   * the server's \Seen in server_keywords says it. */
  "ALTER TABLE mail_messages ADD COLUMN seen_local INTEGER;",

  /* 16: the drug search index holds the words only (docs/architecture.md,
   * "Drug database", Search): brand names and substances, contentless
   * (nothing reads its text back), no prefix index.
   * Codes (CIS, CIP13, CIP7) are found through the tables' B-tree indexes:
   * each was a term of its own, most of the index and of an import's time.
   * Filled again here from the release in the store. */
  "DROP TABLE IF EXISTS drugs_fts;"
  "CREATE VIRTUAL TABLE drugs_fts USING fts5 ("
  "  name, substances, content = '',"
  "  tokenize = 'unicode61 remove_diacritics 2'"
  ");"
  "INSERT INTO drugs_fts (rowid, name, substances)"
  "  SELECT d.id, d.name, coalesce ((SELECT group_concat (c.substance_name, ' ')"
  "                                  FROM drug_compositions c WHERE c.cis = d.cis), '')"
  "  FROM drugs d;"
  "CREATE INDEX IF NOT EXISTS drug_presentations_cip7 ON drug_presentations (cip7);",

  /* 17: the PDFs' text of a message is indexed after its batch commits
   * (docs/architecture.md, "Mail"): a message is listed here, in the
   * transaction that stores it, until the indexing pass has put its PDFs'
   * text into mail_fts and their text_state on mail_documents ('pending'
   * meanwhile); the pass removes it in the transaction that does so. */
  "CREATE TABLE mail_text_pending ("
  "  mail_id INTEGER PRIMARY KEY"
  ");",

  /* 18: read receipt requests answered here (docs/architecture.md, "Read
   * receipts"), one row per received Message-ID so that a request is
   * answered or asked about once: 'manual' (Send Receipt clicked),
   * 'automatic' (the "always" preference) or 'ignored'; entry_id is the
   * receipt's outbox entry (kind "mail") when one was queued. */
  "CREATE TABLE mail_mdn_answers ("
  "  message_id  TEXT PRIMARY KEY,"
  "  answer      TEXT NOT NULL CHECK (answer IN ('manual', 'automatic', 'ignored')),"
  "  entry_id    INTEGER,"
  "  answered_at INTEGER NOT NULL"
  ");",

  /* 19: two drug indexes no query reads (docs/architecture.md, "Drug
   * database", Import): the compositions by substance key (the links are
   * made from the keys the import collects, and every read of
   * drug_compositions starts from a CIS, its primary key) and the generic
   * rows by CIS (each medicine's group is on its drugs row). Each import
   * made them again from scratch: about 350 pages of a release's 4,400. */
  "DROP INDEX IF EXISTS drug_compositions_key;"
  "DROP INDEX IF EXISTS drug_generics_cis;",

  /* 20: a medicine's generic group is read from its drug_generics line
   * (docs/architecture.md, "Drug database", Import): drugs.generic_id is
   * that line's id (its smallest group number, the first line of that
   * number) instead of copies of the line's group, label and type (the
   * labels were about 180 pages of a release). The id is an INTEGER
   * PRIMARY KEY so that it survives a VACUUM; the existing rows keep their
   * group until the next import replaces them. */
  "CREATE TABLE drug_generics_20 ("
  "  id       INTEGER PRIMARY KEY,"
  "  group_id TEXT NOT NULL,"
  "  label    TEXT,"
  "  cis      TEXT NOT NULL,"
  "  type     INTEGER,"
  "  rank     INTEGER"
  ");"
  "INSERT INTO drug_generics_20 (id, group_id, label, cis, type, rank)"
  "  SELECT rowid, group_id, label, cis, type, rank FROM drug_generics;"
  "DROP TABLE drug_generics;"
  "ALTER TABLE drug_generics_20 RENAME TO drug_generics;"
  "ALTER TABLE drugs ADD COLUMN generic_id INTEGER;"
  "UPDATE drugs SET generic_id = g.id"
  "  FROM (SELECT cis, group_id, min (id) AS id FROM drug_generics GROUP BY cis, group_id) AS g"
  "  WHERE g.cis = drugs.cis AND g.group_id = drugs.generic_group;"
  "ALTER TABLE drugs DROP COLUMN generic_group;"
  "ALTER TABLE drugs DROP COLUMN generic_label;"
  "ALTER TABLE drugs DROP COLUMN generic_type;",

  /* 21: an outbox entry's last error kept language-neutral
   * (docs/architecture.md, "An entry's last error"): what failed as a code
   * and the server's words verbatim, the sentence made when shown in the
   * reader's language. Existing rows keep their last_error, shown as
   * written. */
  "ALTER TABLE outbox ADD COLUMN last_error_code TEXT;"
  "ALTER TABLE outbox ADD COLUMN last_error_detail TEXT;",
};

int
cab_store_schema_latest (void)
{
  return G_N_ELEMENTS (migrations);
}

static int
read_user_version (CabStoreWriter  *writer,
                   GError         **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer, "PRAGMA user_version", error);

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot read the schema version");
      return -1;
    }
  return sqlite3_column_int (stmt, 0);
}

static gboolean
apply_migration (CabStoreWriter  *writer,
                 int              target,
                 GError         **error)
{
  g_autofree char *set_version = NULL;
  int version;

  /* Re-read under the write lock: another process may have migrated meanwhile. */
  if (!cab_store_begin (writer, error))
    return FALSE;

  version = read_user_version (writer, error);
  if (version < 0)
    goto fail;
  if (version >= target)
    return cab_store_commit (writer, error);

  set_version = g_strdup_printf ("PRAGMA user_version = %d", target);
  if (sqlite3_exec (writer->db, migrations[target - 1], NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec (writer->db, set_version, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_MIGRATION,
                   "Cannot update the store to version %d: %s",
                   target, sqlite3_errmsg (writer->db));
      goto fail;
    }

  if (!cab_store_commit (writer, error))
    goto fail;

  g_debug ("Store schema now at version %d", target);
  return TRUE;

fail:
  cab_store_rollback (writer);
  return FALSE;
}

gboolean
cab_store_schema_migrate (CabStoreWriter  *writer,
                          int              up_to,
                          int             *version,
                          GError         **error)
{
  int latest = cab_store_schema_latest ();
  int current;

  current = read_user_version (writer, error);
  if (current < 0)
    return FALSE;

  if (current > latest)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_MIGRATION,
                   "The store was written by a newer Cabinet (schema version %d, "
                   "this one knows up to %d)", current, latest);
      return FALSE;
    }

  g_assert (up_to >= 0 && up_to <= latest);
  for (int target = current + 1; target <= up_to; target++)
    {
      if (!apply_migration (writer, target, error))
        return FALSE;
    }

  *version = MAX (current, up_to);
  return TRUE;
}
