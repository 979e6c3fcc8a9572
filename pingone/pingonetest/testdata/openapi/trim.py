#!/usr/bin/env python3
"""Trims PingOne's published OpenAPI documents to the calls the portal makes.

Run from this folder with the source folder as the argument:
    python3 trim.py /path/to/pingone-openapi
It keeps the listed operations and every component they reference, and nothing else.

Local additions, each marked with x-portal-note in the output:
- GET /users: the published answer schema is EntityArray, whose _embedded lists every entity
  type PingOne has (some 500 schemas); the copy keeps its shape with _embedded.users only.
  GET /deviceAuthenticationPolicies likewise keeps _embedded.deviceAuthenticationPolicies.
- requestBody content types: the published documents name the vendor media types
  (application/vnd.pingidentity.device.activate+json, ...) only in a Content-Type header
  parameter's example, while PingOne's reference pages require them; each is added beside
  application/json with the same schema so that a validator accepts what PingOne requires.
"""
import sys, copy, yaml

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/pingone-openapi"
ENV = "/environments/{environmentID}"
WANT = {
    "mfa.yaml": {
        ENV + "/mfaSettings": ["get", "put"],
        ENV + "/deviceAuthenticationPolicies": ["get"],
        ENV + "/deviceAuthenticationPolicies/{deviceAuthenticationPolicyID}": ["get"],
        ENV + "/users/{userID}/devices": ["get", "post"],
        ENV + "/users/{userID}/devices/{deviceID}": ["get", "post", "delete"],
        ENV + "/users/{userID}/devices/{deviceID}/nickname": ["put"],
        ENV + "/users/{userID}/mfaEnabled": ["put"],
    },
    "management.yaml": {
        ENV + "/users": ["get", "post"],
        ENV + "/users/{userID}": ["get"],
        ENV + "/users/{userID}/password": ["put"],
        ENV + "/users/{userID}/memberOfGroups": ["post"],
        ENV + "/groups": ["post"],
        ENV + "/groups/{groupID}": ["get"],
        ENV + "/activities": ["post"],
    },
}
VENDOR = {
    (ENV + "/users/{userID}/devices", "post"): ["application/vnd.pingidentity.devices.reorder+json"],
    (ENV + "/users/{userID}/devices/{deviceID}", "post"): [
        "application/vnd.pingidentity.device.activate+json",
        "application/vnd.pingidentity.device.sendActivationCode+json",
        "application/vnd.pingidentity.device.unlock+json",
        "application/vnd.pingidentity.device.block+json",
        "application/vnd.pingidentity.device.unblock+json",
    ],
    (ENV + "/users/{userID}/password", "put"): ["application/vnd.pingidentity.password.set+json"],
}


def refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/components/"):
                out.add(v)
            else:
                refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


for name, paths in WANT.items():
    doc = yaml.safe_load(open(f"{SRC}/{name}"))
    out = {k: doc[k] for k in ("openapi", "info", "servers", "security") if k in doc}
    out["info"] = dict(out["info"], description=out["info"].get("description", "") +
                       " (trimmed to the portal's calls by pingonetest/testdata/openapi/trim.py)")
    out["paths"] = {}
    for path, methods in paths.items():
        item = {m: copy.deepcopy(doc["paths"][path][m]) for m in methods}
        for m, op in item.items():
            for ct in VENDOR.get((path, m), []):
                content = op["requestBody"]["content"]
                content[ct] = copy.deepcopy(content["application/json"])
                op["x-portal-note"] = "vendor media types added from the Content-Type header parameter"
        embedded = {ENV + "/users": "users", ENV + "/deviceAuthenticationPolicies": "deviceAuthenticationPolicies"}.get(path)
        if embedded and "get" in item:
            ea = doc["components"]["schemas"]["EntityArray"]
            emb = doc["components"]["schemas"]["EntityArray__embedded"]
            narrowed = {k: copy.deepcopy(v) for k, v in ea["properties"].items() if k != "_embedded"}
            narrowed["_embedded"] = {"type": "object", "properties": {embedded: copy.deepcopy(emb["properties"][embedded])}}
            item["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {"type": "object", "properties": narrowed}
            item["get"]["x-portal-note"] = "answer schema narrowed from EntityArray to its " + embedded
        out["paths"][path] = item
    seen, todo = set(), set()
    refs(out["paths"], todo)
    comps = {}
    while todo:
        r = todo.pop()
        if r in seen:
            continue
        seen.add(r)
        _, _, kind, key = r.split("/", 3)
        val = doc["components"][kind][key]
        comps.setdefault(kind, {})[key] = val
        refs(val, todo)
    comps["securitySchemes"] = doc["components"]["securitySchemes"]
    # Sorted, so that the same documents always give the same files.
    out["components"] = {kind: dict(sorted(v.items())) for kind, v in sorted(comps.items())}
    with open(name, "w") as f:
        f.write("# Trimmed from PingOne's published OpenAPI document (the community PingOne Go SDK v2,\n")
        f.write("# BSD 3-Clause: LICENSE-pingone-go-sdk-v2 beside this file). See README.md.\n")
        yaml.safe_dump(out, f, sort_keys=False, allow_unicode=True, width=120)
