#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An independent reader of Cabinet's IHE_XDM.zip (Python's zipfile and
ElementTree, nothing of Cabinet's): checks the layout XDM requires and each
document entry against the bytes beside it, then prints what it read as JSON
for the calling test to compare with what it sent.

    xdm-check.py ZIP
"""
import hashlib
import json
import sys
import zipfile
import xml.etree.ElementTree as ET

RIM = "{urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0}"
DOC_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DOC_TYPE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
DOC_CLASS = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
DOC_AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
SET_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"


def fail(message):
    print("xdm-check: " + message, file=sys.stderr)
    sys.exit(1)


def slots(element):
    out = {}
    for slot in element.findall(RIM + "Slot"):
        out[slot.get("name")] = [v.text or "" for v in slot.iter(RIM + "Value")]
    return out


def main():
    z = zipfile.ZipFile(sys.argv[1])
    if z.testzip() is not None:
        fail("a damaged entry")
    names = z.namelist()
    for required in ("README.TXT", "INDEX.HTM", "IHE_XDM/SUBSET01/METADATA.XML"):
        if required not in names:
            fail("missing " + required)
    for name in names:
        if name.startswith("/") or ".." in name.split("/"):
            fail("unsafe path " + name)
    root = ET.fromstring(z.read("IHE_XDM/SUBSET01/METADATA.XML"))
    if root.tag != "{urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0}SubmitObjectsRequest":
        fail("root is " + root.tag)
    result = {"submission_patient": None, "documents": []}
    for package in root.iter(RIM + "RegistryPackage"):
        for ext in package.findall(RIM + "ExternalIdentifier"):
            if ext.get("identificationScheme") == SET_PATIENT_ID:
                result["submission_patient"] = ext.get("value")
        if "submissionTime" not in slots(package):
            fail("no submissionTime")
    for entry in root.iter(RIM + "ExtrinsicObject"):
        s = slots(entry)
        uri = s["URI"][0]
        data = z.read("IHE_XDM/SUBSET01/" + uri)
        if hashlib.sha1(data).hexdigest() != s["hash"][0].lower():
            fail(uri + ": SHA-1 differs")
        if len(data) != int(s["size"][0]):
            fail(uri + ": size differs")
        doc = {"uri": uri, "mime": entry.get("mimeType"), "sha1": s["hash"][0].lower(),
               "size": len(data), "creation_time": s.get("creationTime", [None])[0],
               "source_patient_info": s.get("sourcePatientInfo", []),
               "patient_id": None, "type_code": None, "class_code": None, "author": None}
        for c in entry.findall(RIM + "Classification"):
            scheme = c.get("classificationScheme")
            if scheme == DOC_TYPE:
                doc["type_code"] = c.get("nodeRepresentation")
            elif scheme == DOC_CLASS:
                doc["class_code"] = c.get("nodeRepresentation")
            elif scheme == DOC_AUTHOR:
                doc["author"] = slots(c).get("authorPerson", [None])[0]
        for ext in entry.findall(RIM + "ExternalIdentifier"):
            if ext.get("identificationScheme") == DOC_PATIENT_ID:
                doc["patient_id"] = ext.get("value")
        result["documents"].append(doc)
    if not result["documents"]:
        fail("no document entry")
    print(json.dumps(result, sort_keys=True))


main()
