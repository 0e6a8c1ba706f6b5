"""Regenerate expected.json: what `aws --output yaml` prints for each document of corpus.json.

AWS CLI v2 dumps responses with ruamel.yaml (YAML(typ='safe', pure=True), default_flow_style=False)
and prints nothing for an empty dict. Run with ruamel.yaml 0.17.21 installed:

    python tests/expected.py
"""

import io
import json
import pathlib

import ruamel.yaml

assert ruamel.yaml.__version__ == "0.17.21", ruamel.yaml.__version__

HERE = pathlib.Path(__file__).resolve().parent


def aws_yaml(document):
    if document == {}:
        return ""
    yaml = ruamel.yaml.YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def main():
    documents = json.loads((HERE / "corpus.json").read_text(encoding="utf-8"))
    expected = [aws_yaml(document) for document in documents]
    text = json.dumps(expected, ensure_ascii=False, indent=0)
    (HERE / "expected.json").write_text(text, encoding="utf-8")
    print(f"wrote {len(documents)} outputs to expected.json")


if __name__ == "__main__":
    main()
