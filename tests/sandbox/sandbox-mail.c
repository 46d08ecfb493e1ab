/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sandbox"

/* MSSanté messages from the synthetic practice (see sandbox-mail.h). The
 * documents are the practice's own generated reports (sandbox_pdf_render),
 * so a message's PDF is the one the patient's record would hold. */

#include "sandbox-mail.h"
#include "sandbox-gen.h"
#include "sandbox-pdf.h"
#include "sandbox-util.h"

#include <string.h>

#define OID_INS_NIR  "1.2.250.1.213.1.4.8"
#define OID_IDNAT_PS "1.2.250.1.71.4.2.1"
#define OID_LOINC    "2.16.840.1.113883.6.1"
#define OID_CLASS    "1.2.250.1.213.1.1.4.1"

/* XDS ebRIM classification and identification schemes (ITI TF-3 4.2). */
#define XDS_DOC_ENTRY      "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
#define XDS_DOC_PATIENT_ID "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
#define XDS_DOC_UNIQUE_ID  "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
#define XDS_DOC_CLASS      "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
#define XDS_DOC_TYPE       "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
#define XDS_DOC_AUTHOR     "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
#define XDS_SET            "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
#define XDS_SET_PATIENT_ID "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
#define XDS_SET_UNIQUE_ID  "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
#define XDS_SET_SOURCE_ID  "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"

typedef enum
{
  KIND_LAB,
  KIND_LETTER,
  KIND_NO_INS,
  KIND_MARRIED_NAME,
  KIND_WRONG_KEY,
  KIND_SWAPPED_DATE,
  KIND_FOREIGN_INS,
  KIND_TWO_PATIENTS,
  KIND_HOSTILE,
} MailKind;

static const char *kind_names[] = {
  "lab", "letter", "no-ins", "married-name", "wrong-key", "swapped-date",
  "foreign-ins", "two-patients", "hostile",
};

/* The mix, repeated: mostly clean lab results and letters. */
static const MailKind cycle[] = {
  KIND_LAB, KIND_LETTER, KIND_LAB, KIND_NO_INS, KIND_LETTER, KIND_MARRIED_NAME,
  KIND_LAB, KIND_WRONG_KEY, KIND_LETTER, KIND_SWAPPED_DATE, KIND_LAB,
  KIND_FOREIGN_INS, KIND_LETTER, KIND_TWO_PATIENTS, KIND_LAB, KIND_LETTER,
};

typedef struct
{
  char       *patient_id;
  JsonObject *recipe;     /* owned */
} SourceDoc;

typedef struct
{
  GPtrArray  *docs;       /* SourceDoc*, one or two per patient: lab and letter */
  GHashTable *seen;       /* "patient-id/lab" -> TRUE */
  GHashTable *practice;   /* ids of the patients the practice follows (managingOrganization) */
} Collect;

/* One document as the sender describes it in METADATA.XML. */
typedef struct
{
  const char *birth_family;
  const char *usage_family;  /* NULL: none written */
  const char *given;
  const char *birth_date;    /* YYYYMMDD */
  const char *sex;
  const char *ins;           /* NULL: none */
  const char *filename;
  GBytes     *bytes;
  JsonObject *recipe;
} XdmDoc;

static void
source_doc_free (gpointer data)
{
  SourceDoc *d = data;

  g_free (d->patient_id);
  json_object_unref (d->recipe);
  g_free (d);
}

static void
collect_doc (const char *type, const char *id, const char *patient_id,
             JsonObject *resource, JsonObject *pdf_recipe, gpointer user_data)
{
  Collect *c = user_data;
  const char *kind;
  const char *family;
  g_autofree char *key = NULL;
  SourceDoc *d;

  /* Only the practice's own patients reach its store (the sync pulls those
   * managed by the practice): a qualified patient of another practice is
   * someone the inbox cannot match. */
  if (g_str_equal (type, "Patient") && json_object_has_member (resource, "managingOrganization"))
    g_hash_table_add (c->practice, g_strdup (id));
  if (pdf_recipe == NULL || patient_id == NULL || !g_str_equal (type, "Binary"))
    return;
  kind = sandbox_json_get_string (pdf_recipe, "kind");
  if (kind == NULL)
    return;
  if (g_str_equal (kind, "lab"))
    family = "lab";
  else if (g_str_equal (kind, "discharge") || g_str_equal (kind, "hospital") ||
           g_str_equal (kind, "consultation"))
    family = "letter";
  else
    return;
  key = g_strconcat (patient_id, "/", family, NULL);
  if (!g_hash_table_add (c->seen, g_steal_pointer (&key)))
    return;
  d = g_new0 (SourceDoc, 1);
  d->patient_id = g_strdup (patient_id);
  d->recipe = json_object_ref (pdf_recipe);
  g_ptr_array_add (c->docs, d);
}

/* ---------------------------------------------------------------------- */
/* Identities                                                             */
/* ---------------------------------------------------------------------- */

static int
nir_key (const char *nir13)
{
  guint64 n = g_ascii_strtoull (nir13, NULL, 10);

  return 97 - (int) (n % 97);
}

/* The INS a sender holds for a patient whose INS the practice did not
 * store (its identity is not qualified here): same sex and birth month. */
static char *
sender_ins (JsonObject *patient, guint salt)
{
  const char *sex = sandbox_json_get_string (patient, "sex");
  const char *birth = sandbox_json_get_string (patient, "birth_date");
  char nir13[14];

  g_snprintf (nir13, sizeof nir13, "%c%.2s%.2s75056%03u",
              g_strcmp0 (sex, "F") == 0 ? '2' : '1', birth + 2, birth + 5, 1 + salt % 998);
  return g_strdup_printf ("%s%02d", nir13, nir_key (nir13));
}

static char *
upper_ascii (const char *text)
{
  g_autofree char *ascii = g_str_to_ascii (text, "C");

  return g_ascii_strup (ascii, -1);
}

static char *
compact_date (const char *iso)   /* "1961-03-12" -> "19610312" */
{
  return g_strdup_printf ("%.4s%.2s%.2s", iso, iso + 5, iso + 8);
}

/* ---------------------------------------------------------------------- */
/* METADATA.XML                                                           */
/* ---------------------------------------------------------------------- */

static void
slot (GString *s, const char *name, const char *value)
{
  g_autofree char *escaped = g_markup_escape_text (value, -1);

  g_string_append_printf (s, "      <rim:Slot name=\"%s\"><rim:ValueList><rim:Value>%s</rim:Value></rim:ValueList></rim:Slot>\n",
                          name, escaped);
}

static void
classification (GString *s, const char *id_prefix, const char *scheme, const char *object,
                const char *code, const char *coding_scheme, const char *display, guint n)
{
  g_autofree char *escaped = g_markup_escape_text (display, -1);

  g_string_append_printf (s,
    "      <rim:Classification id=\"%s%02u\" classificationScheme=\"%s\" classifiedObject=\"%s\" nodeRepresentation=\"%s\">\n"
    "        <rim:Slot name=\"codingScheme\"><rim:ValueList><rim:Value>%s</rim:Value></rim:ValueList></rim:Slot>\n"
    "        <rim:Name><rim:LocalizedString value=\"%s\"/></rim:Name>\n"
    "      </rim:Classification>\n",
    id_prefix, n, scheme, object, code, coding_scheme, escaped);
}

static char *
cx_ins (const char *ins)
{
  return g_strdup_printf ("%s^^^&%s&ISO", ins, OID_INS_NIR);
}

static char *
metadata_new (XdmDoc *docs, guint n_docs, const char *set_uid, gboolean hostile)
{
  GString *s = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");

  if (hostile)
    g_string_append (s,
      "<!DOCTYPE lcm:SubmitObjectsRequest [\n"
      "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
      "  <!ENTITY net SYSTEM \"http://127.0.0.1:9/metadata.dtd\">\n"
      "  <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
      "  <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
      "  <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
      "  <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
      "  <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
      "  <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
      "  <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
      "]>\n");
  g_string_append (s,
    "<lcm:SubmitObjectsRequest xmlns:lcm=\"urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0\"\n"
    "    xmlns:rim=\"urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0\">\n"
    "  <rim:RegistryObjectList>\n");

  for (guint i = 0; i < n_docs; i++)
    {
      XdmDoc *d = &docs[i];
      JsonObject *author = sandbox_json_get_object (d->recipe, "author");
      g_autofree char *object = g_strdup_printf ("Document%02u", i + 1);
      g_autofree char *sha1 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, d->bytes);
      g_autofree char *size = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (d->bytes));
      const char *date = sandbox_json_get_string (d->recipe, "date");
      g_autofree char *creation = g_strdup_printf ("%.4s%.2s%.2s%.2s%.2s%.2s",
                                                   date, date + 5, date + 8, date + 11, date + 14, date + 17);
      g_autofree char *pid5 = g_strdup_printf ("PID-5|%s^%s^^^^^L", d->birth_family, d->given);
      g_autofree char *pid7 = g_strconcat ("PID-7|", d->birth_date, NULL);
      g_autofree char *pid8 = g_strconcat ("PID-8|", d->sex, NULL);
      g_autofree char *author_person = g_strdup_printf ("8%s^%s^^^^^^^&%s&ISO",
                                                        sandbox_json_get_string (author, "rpps"),
                                                        sandbox_json_get_string (author, "name"), OID_IDNAT_PS);
      g_autofree char *unique = g_strdup_printf ("%s.%u", set_uid, i + 1);

      g_string_append_printf (s,
        "    <rim:ExtrinsicObject id=\"%s\" mimeType=\"application/pdf\" objectType=\"%s\" status=\"urn:oasis:names:tc:ebxml-regrep:StatusType:Approved\">\n",
        object, XDS_DOC_ENTRY);
      slot (s, "creationTime", creation);
      slot (s, "hash", sha1);
      slot (s, "size", size);
      slot (s, "languageCode", "fr-FR");
      slot (s, "URI", d->filename);
      if (d->ins != NULL)
        {
          g_autofree char *cx = cx_ins (d->ins);
          slot (s, "sourcePatientId", cx);
        }
      g_string_append (s, "      <rim:Slot name=\"sourcePatientInfo\"><rim:ValueList>\n");
      if (d->ins != NULL)
        g_string_append_printf (s, "        <rim:Value>PID-3|%s^^^&amp;%s&amp;ISO^NH</rim:Value>\n", d->ins, OID_INS_NIR);
      {
        g_autofree char *e5 = g_markup_escape_text (pid5, -1);
        g_string_append_printf (s, "        <rim:Value>%s</rim:Value>\n", e5);
      }
      if (d->usage_family != NULL)
        {
          g_autofree char *usage = g_strdup_printf ("PID-5|%s^%s^^^^^D", d->usage_family, d->given);
          g_autofree char *e = g_markup_escape_text (usage, -1);
          g_string_append_printf (s, "        <rim:Value>%s</rim:Value>\n", e);
        }
      g_string_append_printf (s, "        <rim:Value>%s</rim:Value>\n        <rim:Value>%s</rim:Value>\n"
                                 "      </rim:ValueList></rim:Slot>\n", pid7, pid8);
      if (hostile && i == 0)
        g_string_append (s, "      <rim:Slot name=\"comments\"><rim:ValueList><rim:Value>&xxe;&net;&g;</rim:Value></rim:ValueList></rim:Slot>\n");
      g_string_append_printf (s,
        "      <rim:Classification id=\"au%02u\" classificationScheme=\"%s\" classifiedObject=\"%s\" nodeRepresentation=\"\">\n",
        i + 1, XDS_DOC_AUTHOR, object);
      {
        g_autofree char *e = g_markup_escape_text (author_person, -1);
        g_string_append_printf (s, "        <rim:Slot name=\"authorPerson\"><rim:ValueList><rim:Value>%s</rim:Value></rim:ValueList></rim:Slot>\n"
                                   "      </rim:Classification>\n", e);
      }
      classification (s, "cc", XDS_DOC_CLASS, object, "10", OID_CLASS, "Compte rendu", i + 1);
      classification (s, "tc", XDS_DOC_TYPE, object, sandbox_json_get_string (d->recipe, "type_code"),
                      OID_LOINC, sandbox_json_get_string (d->recipe, "type_display"), i + 1);
      if (d->ins != NULL)
        {
          g_autofree char *cx = cx_ins (d->ins);
          g_autofree char *e = g_markup_escape_text (cx, -1);
          g_string_append_printf (s,
            "      <rim:ExternalIdentifier id=\"ei%02u\" registryObject=\"%s\" identificationScheme=\"%s\" value=\"%s\">\n"
            "        <rim:Name><rim:LocalizedString value=\"XDSDocumentEntry.patientId\"/></rim:Name>\n"
            "      </rim:ExternalIdentifier>\n", i + 1, object, XDS_DOC_PATIENT_ID, e);
        }
      g_string_append_printf (s,
        "      <rim:ExternalIdentifier id=\"eu%02u\" registryObject=\"%s\" identificationScheme=\"%s\" value=\"%s\">\n"
        "        <rim:Name><rim:LocalizedString value=\"XDSDocumentEntry.uniqueId\"/></rim:Name>\n"
        "      </rim:ExternalIdentifier>\n"
        "    </rim:ExtrinsicObject>\n", i + 1, object, XDS_DOC_UNIQUE_ID, unique);
    }

  g_string_append_printf (s,
    "    <rim:RegistryPackage id=\"SubmissionSet01\">\n"
    "      <rim:Slot name=\"submissionTime\"><rim:ValueList><rim:Value>20250101080000</rim:Value></rim:ValueList></rim:Slot>\n"
    "      <rim:Classification id=\"ss\" classifiedObject=\"SubmissionSet01\" classificationNode=\"%s\"/>\n",
    XDS_SET);
  if (docs[0].ins != NULL)
    {
      g_autofree char *cx = cx_ins (docs[0].ins);
      g_autofree char *e = g_markup_escape_text (cx, -1);
      g_string_append_printf (s,
        "      <rim:ExternalIdentifier id=\"sp\" registryObject=\"SubmissionSet01\" identificationScheme=\"%s\" value=\"%s\">\n"
        "        <rim:Name><rim:LocalizedString value=\"XDSSubmissionSet.patientId\"/></rim:Name>\n"
        "      </rim:ExternalIdentifier>\n", XDS_SET_PATIENT_ID, e);
    }
  g_string_append_printf (s,
    "      <rim:ExternalIdentifier id=\"su\" registryObject=\"SubmissionSet01\" identificationScheme=\"%s\" value=\"%s\"/>\n"
    "      <rim:ExternalIdentifier id=\"ss-src\" registryObject=\"SubmissionSet01\" identificationScheme=\"%s\" value=\"1.2.250.1.999.1\"/>\n"
    "    </rim:RegistryPackage>\n"
    "  </rim:RegistryObjectList>\n"
    "</lcm:SubmitObjectsRequest>\n", XDS_SET_UNIQUE_ID, set_uid, XDS_SET_SOURCE_ID);
  return g_string_free (s, FALSE);
}

/* ---------------------------------------------------------------------- */
/* MIME                                                                   */
/* ---------------------------------------------------------------------- */

static void
append_base64 (GString *s, GBytes *bytes)
{
  gsize size;
  const guchar *data = g_bytes_get_data (bytes, &size);
  g_autofree char *b64 = g_base64_encode (data, size);
  gsize len = strlen (b64);

  for (gsize i = 0; i < len; i += 76)
    {
      g_string_append_len (s, b64 + i, MIN (76, len - i));
      g_string_append (s, "\r\n");
    }
}

/* Quoted-printable of @text already in its charset. */
static void
append_qp (GString *s, const char *text, gsize len)
{
  guint col = 0;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = text[i];

      if (c == '\n')
        {
          g_string_append (s, "\r\n");
          col = 0;
          continue;
        }
      if (col >= 72)
        {
          g_string_append (s, "=\r\n");
          col = 0;
        }
      if ((c >= 33 && c <= 126 && c != '=') || (c == ' ' && i + 1 < len && text[i + 1] != '\n'))
        {
          g_string_append_c (s, c);
          col++;
        }
      else
        {
          g_string_append_printf (s, "=%02X", c);
          col += 3;
        }
    }
  g_string_append (s, "\r\n");
}

/* RFC 2047 encoded word, Q encoding, of UTF-8 @text in @charset. */
static char *
encoded_word (const char *text, const char *charset)
{
  g_autofree char *converted = g_convert (text, -1, charset, "UTF-8", NULL, NULL, NULL);
  GString *s = g_string_new (NULL);

  if (converted == NULL)
    converted = g_strdup (text);
  g_string_append_printf (s, "=?%s?Q?", charset);
  for (const guchar *p = (const guchar *) converted; *p; p++)
    {
      if (*p == ' ')
        g_string_append_c (s, '_');
      else if (g_ascii_isalnum (*p))
        g_string_append_c (s, *p);
      else
        g_string_append_printf (s, "=%02X", *p);
    }
  g_string_append (s, "?=");
  return g_string_free (s, FALSE);
}

static char *
rfc5322_date (const char *iso, guint minutes_later)
{
  static const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (iso, NULL);
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *offset = NULL;

  if (parsed == NULL)
    parsed = g_date_time_new_utc (2025, 1, 1, 8, 0, 0);
  dt = g_date_time_add_minutes (parsed, minutes_later);
  offset = g_date_time_format (dt, "%z");
  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d %s",
                          days[g_date_time_get_day_of_week (dt) - 1], g_date_time_get_day_of_month (dt),
                          months[g_date_time_get_month (dt) - 1], g_date_time_get_year (dt),
                          g_date_time_get_hour (dt), g_date_time_get_minute (dt),
                          g_date_time_get_second (dt), offset);
}

/* ---------------------------------------------------------------------- */
/* One message                                                            */
/* ---------------------------------------------------------------------- */

typedef struct
{
  const SandboxMailOptions *options;
  GPtrArray  *docs;
  GHashTable *practice;
  guint       index;
  MailKind    kind;
} Build;

static GBytes *
render (JsonObject *recipe, GError **error)
{
  return sandbox_pdf_render (recipe, error);
}

static void
fill_xdm_doc (XdmDoc *x, SourceDoc *src, GBytes *bytes, const char *filename, char **owned_ins, char **owned_date)
{
  JsonObject *p = sandbox_json_get_object (src->recipe, "patient");
  JsonArray *given = sandbox_json_get_array (p, "given");
  const char *ins = sandbox_json_get_string (p, "ins");

  x->birth_family = sandbox_json_get_string (p, "birth_family");
  x->usage_family = NULL;
  x->given = given != NULL && json_array_get_length (given) > 0 ? json_array_get_string_element (given, 0) : "";
  *owned_date = compact_date (sandbox_json_get_string (p, "birth_date"));
  x->birth_date = *owned_date;
  x->sex = sandbox_json_get_string (p, "sex");
  *owned_ins = ins != NULL ? g_strdup (ins) : sender_ins (p, g_str_hash (src->patient_id));
  x->ins = *owned_ins;
  x->filename = filename;
  x->bytes = bytes;
  x->recipe = src->recipe;
}

static GBytes *
build_message (Build *b, JsonObject *truth, GError **error)
{
  const SandboxMailOptions *o = b->options;
  guint n_docs = b->docs->len;
  SourceDoc *src = g_ptr_array_index (b->docs, (b->index * 7 + 3) % n_docs);
  SourceDoc *other = g_ptr_array_index (b->docs, (b->index * 7 + 3 + n_docs / 2 + 1) % n_docs);
  JsonObject *patient = sandbox_json_get_object (src->recipe, "patient");
  JsonObject *author = sandbox_json_get_object (src->recipe, "author");
  JsonObject *org = sandbox_json_get_object (src->recipe, "organization");
  gboolean qualified = g_strcmp0 (sandbox_json_get_string (patient, "identity_status"), "QUAL") == 0 &&
                       g_hash_table_contains (b->practice, src->patient_id);
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GBytes) pdf2 = NULL;
  g_autoptr(GBytes) zip = NULL;
  g_autofree char *ins1 = NULL, *ins2 = NULL, *date1 = NULL, *date2 = NULL, *metadata = NULL;
  g_autofree char *message_id = NULL, *date = NULL, *subject = NULL, *body = NULL, *set_uid = NULL;
  g_autofree char *pdf_name = NULL, *upper_family = NULL, *upper_given = NULL;
  const char *charset;
  XdmDoc xdm[2];
  guint n_xdm = 1;
  gboolean with_xdm = b->kind != KIND_NO_INS;
  gboolean hostile = b->kind == KIND_HOSTILE;
  gboolean is_lab = g_strcmp0 (sandbox_json_get_string (src->recipe, "kind"), "lab") == 0;
  gboolean signed_smime = b->index % 5 == 2;
  const char *family = sandbox_json_get_string (patient, "family");
  JsonArray *given = sandbox_json_get_array (patient, "given");
  const char *first_given = given != NULL && json_array_get_length (given) > 0 ? json_array_get_string_element (given, 0) : "";
  const char *birth = sandbox_json_get_string (patient, "birth_date");
  g_autofree char *boundary = NULL;
  GString *s;

  pdf = render (src->recipe, error);
  if (pdf == NULL)
    return NULL;
  pdf_name = g_strdup_printf ("CR_%s_%u.pdf", is_lab ? "BIO" : "HOSP", b->index + 1);
  fill_xdm_doc (&xdm[0], src, pdf, "DOC0001.PDF", &ins1, &date1);
  if (b->index % 2 == 1)
    {
      /* Many senders write the traits as the INS service returns them:
       * upper case, without accents. */
      upper_family = upper_ascii (xdm[0].birth_family);
      upper_given = upper_ascii (xdm[0].given);
      xdm[0].birth_family = upper_family;
      xdm[0].given = upper_given;
    }
  set_uid = g_strdup_printf ("1.2.250.1.999.2.%" G_GUINT64_FORMAT ".%u", o->seed, b->index + 1);

  json_object_set_string_member (truth, "kind", kind_names[b->kind]);
  json_object_set_string_member (truth, "patient_id", src->patient_id);
  json_object_set_boolean_member (truth, "auto_allowed", qualified);

  switch (b->kind)
    {
    case KIND_LAB:
    case KIND_LETTER:
    case KIND_NO_INS:
      break;
    case KIND_MARRIED_NAME:
      /* Only the usage name in the metadata: the rules accept it. */
      if (g_strcmp0 (family, xdm[0].birth_family) != 0)
        {
          xdm[0].birth_family = family;
          json_object_set_string_member (truth, "kind", "married-name");
        }
      break;
    case KIND_WRONG_KEY:
      {
        int key = (int) g_ascii_strtoll (ins1 + 13, NULL, 10);
        ins1[13] = '\0';
        g_autofree char *wrong = g_strdup_printf ("%s%02d", ins1, key % 97 + 1);
        g_free (ins1);
        ins1 = g_steal_pointer (&wrong);
        xdm[0].ins = ins1;
        json_object_set_boolean_member (truth, "auto_allowed", FALSE);
      }
      break;
    case KIND_SWAPPED_DATE:
      {
        /* 19610312 -> 19611203 when both read as a date, else a day later. */
        char *d = date1;
        if (d[6] <= '1' && !(d[6] == '1' && d[7] > '2') && !(d[6] == '0' && d[7] == '0') &&
            memcmp (d + 4, d + 6, 2) != 0)
          {
            char mm[2] = { d[4], d[5] };
            d[4] = d[6]; d[5] = d[7]; d[6] = mm[0]; d[7] = mm[1];
          }
        else
          d[7] = d[7] == '0' ? '1' : '0';
        json_object_set_boolean_member (truth, "auto_allowed", FALSE);
      }
      break;
    case KIND_FOREIGN_INS:
      {
        /* Someone the practice does not know, with a valid INS. */
        char nir13[14];
        g_snprintf (nir13, sizeof nir13, "2%02u%02u13055%03u", 40 + b->index % 50, 1 + b->index % 12, 100 + b->index % 800);
        g_free (ins1);
        ins1 = g_strdup_printf ("%s%02d", nir13, nir_key (nir13));
        xdm[0].ins = ins1;
        xdm[0].birth_family = "ETRANGERE-AU-CABINET";
        xdm[0].given = "Solange";
        g_free (date1);
        date1 = g_strdup_printf ("19%02u%02u15", 40 + b->index % 50, 1 + b->index % 12);
        xdm[0].birth_date = date1;
        xdm[0].sex = "F";
        json_object_remove_member (truth, "patient_id");
        json_object_set_boolean_member (truth, "auto_allowed", FALSE);
      }
      break;
    case KIND_TWO_PATIENTS:
      pdf2 = render (other->recipe, error);
      if (pdf2 == NULL)
        return NULL;
      fill_xdm_doc (&xdm[1], other, pdf2, "DOC0002.PDF", &ins2, &date2);
      n_xdm = g_strcmp0 (src->patient_id, other->patient_id) != 0 ? 2 : 1;
      if (n_xdm == 2)
        {
          json_object_remove_member (truth, "patient_id");
          json_object_set_boolean_member (truth, "auto_allowed", FALSE);
        }
      break;
    case KIND_HOSTILE:
      json_object_remove_member (truth, "patient_id");
      json_object_set_boolean_member (truth, "auto_allowed", FALSE);
      break;
    }

  if (with_xdm)
    {
      const char *names[2] = { xdm[0].filename, n_xdm > 1 ? xdm[1].filename : NULL };
      GBytes *bytes[2] = { xdm[0].bytes, n_xdm > 1 ? xdm[1].bytes : NULL };

      metadata = metadata_new (xdm, n_xdm, set_uid, hostile);
      zip = sandbox_mail_xdm_zip (metadata, names, bytes, n_xdm, hostile, error);
      if (zip == NULL)
        return NULL;
    }
  if (!with_xdm)
    json_object_set_boolean_member (truth, "auto_allowed", FALSE);

  message_id = g_strdup_printf ("<sandbox-%" G_GUINT64_FORMAT "-%u@mssante.sandbox>", o->seed, b->index + 1);
  json_object_set_string_member (truth, "message_id", message_id);
  date = rfc5322_date (sandbox_json_get_string (src->recipe, "date"), 600 + b->index % 300);
  charset = b->index % 3 == 0 ? "UTF-8" : b->index % 3 == 1 ? "ISO-8859-1" : "windows-1252";
  /* ISO-8859-1 has no ’: a letter's subject then goes in Windows-1252. */
  subject = encoded_word (is_lab ? "Résultats d'analyses biologiques" : "Courrier de sortie d’hospitalisation",
                          b->index % 2 ? "UTF-8" : !is_lab && g_str_equal (charset, "ISO-8859-1") ? "windows-1252" : charset);
  body = g_strdup_printf ("Chère consœur, cher confrère,\n\n"
                          "Veuillez trouver ci-joint %s concernant votre patient(e) %s %s, "
                          "né(e) le %.2s/%.2s/%.4s.\n\n"
                          "Bien confraternellement,\n%s\n%s\n",
                          is_lab ? "le compte rendu d'examens biologiques" : "le courrier de sortie",
                          family, first_given, birth + 8, birth + 5, birth,
                          sandbox_json_get_string (author, "name"), sandbox_json_get_string (org, "name"));

  boundary = g_strdup_printf ("=_cabinet_sandbox_%u", b->index + 1);
  s = g_string_new (NULL);
  g_string_append_printf (s, "From: %s <%s>\r\n", sandbox_json_get_string (author, "name"),
                          sandbox_json_get_string (author, "mail"));
  g_string_append_printf (s, "To: %s\r\n", o->to);
  g_string_append_printf (s, "Date: %s\r\nSubject: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n",
                          date, subject, message_id);
  g_string_append_printf (s, "X-MSS-INS: %s\r\n", with_xdm && b->kind != KIND_WRONG_KEY ? "O" : "N");
  g_string_append_printf (s, "X-MSS-CODECDA: %s\r\n", sandbox_json_get_string (src->recipe, "type_code"));
  g_string_append (s, "X-MSS-NIL: SIL-Sandbox/4.2\r\n");
  if (b->index % 11 == 4)
    g_string_append (s, "X-MSS-MES: FIN\r\nDisposition-Notification-To: <accuse@bio.mssante.fr>\r\n");
  if (signed_smime)
    g_string_append_printf (s, "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n"
                               " micalg=sha-256; boundary=\"%s-s\"\r\n\r\n"
                               "This is an S/MIME signed message.\r\n\r\n--%s-s\r\n", boundary, boundary);
  g_string_append_printf (s, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary);
  if (!signed_smime)
    g_string_append (s, "This is a multi-part message in MIME format.\r\n\r\n");

  g_string_append_printf (s, "--%s\r\nContent-Type: text/plain; charset=%s\r\n"
                             "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, charset);
  {
    g_autofree char *converted = g_convert_with_fallback (body, -1, charset, "UTF-8", "?", NULL, NULL, NULL);
    const char *text = converted != NULL ? converted : body;
    append_qp (s, text, strlen (text));
  }
  g_string_append_printf (s, "\r\n--%s\r\nContent-Type: application/pdf; name=\"%s\"\r\n"
                             "Content-Disposition: attachment; filename=\"%s\"\r\n"
                             "Content-Transfer-Encoding: base64\r\n\r\n", boundary, pdf_name, pdf_name);
  append_base64 (s, pdf);
  if (zip != NULL)
    {
      g_string_append_printf (s, "\r\n--%s\r\nContent-Type: application/zip; name=\"IHE_XDM.zip\"\r\n"
                                 "Content-Disposition: attachment; filename=\"IHE_XDM.zip\"\r\n"
                                 "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
      append_base64 (s, zip);
    }
  g_string_append_printf (s, "\r\n--%s--\r\n", boundary);
  if (signed_smime)
    {
      /* Not a real CMS signature: the reader shows signed content, it does
       * not claim to check the signature. */
      g_autoptr(GBytes) sig = g_bytes_new_static ("0\x82\x01\x00\x06\x09*\x86H\x86\xf7\r\x01\x07\x02", 17);
      g_string_append_printf (s, "\r\n--%s-s\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n"
                                 "Content-Transfer-Encoding: base64\r\n"
                                 "Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n", boundary);
      append_base64 (s, sig);
      g_string_append_printf (s, "\r\n--%s-s--\r\n", boundary);
    }
  return g_string_free_to_bytes (s);
}

gboolean
sandbox_mail_generate (const SandboxMailOptions *options,
                       SandboxMailFunc           func,
                       gpointer                  user_data,
                       GError                  **error)
{
  SandboxGenOptions gen = { options->seed, options->n_patients, options->years, options->today };
  Collect c = { g_ptr_array_new_with_free_func (source_doc_free),
                g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
                g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  gboolean ok = TRUE;

  sandbox_gen_practice (&gen, collect_doc, &c);
  if (c.docs->len < 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the practice has too few documents for messages");
      ok = FALSE;
    }
  for (guint i = 0; ok && i < options->n_messages; i++)
    {
      Build b = { options, c.docs, c.practice, i, cycle[i % G_N_ELEMENTS (cycle)] };
      g_autoptr(JsonObject) truth = json_object_new ();
      g_autoptr(GBytes) raw = NULL;

      /* One hostile message in every 25, the 14th first. */
      if (i % 25 == 13)
        b.kind = KIND_HOSTILE;
      raw = build_message (&b, truth, error);
      if (raw == NULL)
        ok = FALSE;
      else
        func (i, raw, truth, user_data);
    }
  g_ptr_array_unref (c.docs);
  g_hash_table_unref (c.seen);
  g_hash_table_unref (c.practice);
  return ok;
}
