// CLD2 (Debian libcld2) as a language-id peer for the benchmark: reads one text per line on
// stdin and prints one of Kefu's codes per line (en zh es fr de pt it ja ko nl, else und).
//
//   g++ -O2 -o build/bench/cld2_langid scripts/bench/cld2_langid.cc -lcld2
//   printf 'where is my order\n' | build/bench/cld2_langid   # en
// The CLD2 header uses FILE without including <cstdio>.
#include <cld2/public/compact_lang_det.h>

#include <cstdio>
#include <iostream>
#include <string>

namespace {

std::string toKefu(CLD2::Language language) {
  const std::string code = CLD2::LanguageCode(language);
  static const char* const kOurs[] = {"en", "es", "fr", "de", "pt", "it", "ja", "ko", "nl"};
  for (const char* ours : kOurs) {
    if (code == ours) return code;
  }
  if (code.rfind("zh", 0) == 0) return "zh";  // zh, zh-Hant
  return "und";                               // un (unknown) and every other language
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    bool reliable = false;
    const CLD2::Language language = CLD2::DetectLanguage(line.data(), static_cast<int>(line.size()),
                                                         /*is_plain_text=*/true, &reliable);
    std::cout << toKefu(language) << '\n';
  }
  return 0;
}
