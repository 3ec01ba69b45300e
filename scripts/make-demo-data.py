#!/usr/bin/env python3
"""Choose the demo sample from the shared corpus (../shared/corpus/docs.jsonl.gz).

Deterministic: the same corpus gives the same sample. The sample is committed as
assets/demo/docs.jsonl.gz; rerun this only to change the sample.
Usage: scripts/make-demo-data.py [CORPUS] [OUT]
"""
import gzip, json, sys

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/docs.jsonl.gz"
out = sys.argv[2] if len(sys.argv) > 2 else "assets/demo/docs.jsonl.gz"
docs = [json.loads(l) for l in gzip.open(src, "rt", encoding="utf-8")]

def src_of(d):
    return d["id"].split(":")[0]

picked, seen = [], set()
def take(pred, n):
    k = 0
    for d in docs:
        if k >= n:
            break
        if d["id"] in seen or not pred(d) or len(d["body"]) > 60000:
            continue
        picked.append(d); seen.add(d["id"]); k += 1

take(lambda d: src_of(d) == "zhouynf", 57)                       # gov.cn policies with full metadata
take(lambda d: d["category"] == "政策解读", 10)                    # interpretations
take(lambda d: src_of(d) == "realestate" and d["published_date"] >= "2019", 130)
take(lambda d: "规范性文件" in d["body"] and d["doc_number"], 25)    # texts about normative documents
take(lambda d: src_of(d) == "lawrefbook" and d["doc_number"] and d["category"] == "行政法规", 40)
take(lambda d: src_of(d) == "lawrefbook" and d["category"] == "地方性法规" and d["published_date"] >= "2018", 20)
take(lambda d: src_of(d) == "ansvar" and d["category"] == "法律", 15)
take(lambda d: src_of(d) == "gccmpd", 15)
take(lambda d: src_of(d) == "govreports" and len(d["body"]) < 30000, 5)

picked.sort(key=lambda d: d["id"])
with gzip.GzipFile(out, "wb", mtime=0, compresslevel=9) as f:
    for d in picked:
        f.write((json.dumps(d, ensure_ascii=False) + "\n").encode("utf-8"))
print(f"{len(picked)} documents -> {out}", file=sys.stderr)
