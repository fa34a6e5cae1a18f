"""What `!ask` says: the quoted answer with its sources, and the honest declines.

The asker decides what to quote; this writes it in the member's language: the quotes numbered by
post, a part the course does not answer on its own line, a decline that names the nearest topics
(or, for a course name asked about something the course lacks, what the course does say about
it), and the note where a post stops at "Les videre".
"""

from __future__ import annotations

import re

from bot.core.ask.result import AskResult, source_out
from bot.core.ask.sentences import Quote
from bot.core.knowledge import Passage
from bot.core.language import Language
from bot.core.search import Hit, SearchIndex
from bot.core.strings import Strings


class Replies:
    """Writes the answers and declines of the offline engine."""

    def __init__(self, index: SearchIndex, strings: Strings) -> None:
        self.index = index
        self.strings = strings

    def mark_cut(self, result: AskResult, passage: Passage, key: str) -> AskResult:
        """Add the line saying the post stops here, and set `cut_off`."""
        title = self.index.knowledge.post(passage.slug).title
        line = self.strings.t(result.language, key, title=title)
        return result.model_copy(update={"answer": f"{result.answer}\n{line}", "cut_off": True})

    def for_case(
        self, result: AskResult, question: str, business: str, lang: Language
    ) -> AskResult:
        """Say that the quoted advice is the course's and applies to the student's business too."""
        post = next(p for p in self.index.knowledge.posts if p.path == result.sources[0].path)
        body = result.answer.split("\n", 1)[1] if "\n" in result.answer else result.answer
        # Name the post's topic the quoted advice is most about ('de første følgerne').
        quoted = self.index.terms_in(body)
        topics = post.topics(lang)
        topic = max(topics, key=lambda t: len(self.index.terms_in(t) & quoted)) if topics else ""
        intro = self.strings.t(
            lang, "ask.own_case_intro", topic=topic or post.title, business=business
        )
        return result.model_copy(update={"question": question, "answer": f"{intro}\n{body}"})

    def answer(
        self, question: str, lang: Language, blocks: list[list[Quote] | str], hits: list[Hit]
    ) -> AskResult:
        """Quote the sentences in order (a part the course does not answer: its line instead)."""
        numbers: dict[tuple[str, str | None], int] = {}  # (post, page or slide) -> its [n]
        lines = [self.strings.t(lang, "ask.intro")]
        quoted: set[str] = set()
        for block in blocks:
            if isinstance(block, str):
                lines.append(block)
                continue
            for quote in block:
                if quote.text in quoted:
                    continue
                quoted.add(quote.text)
                key = (quote.passage.slug, quote.passage.location)
                n = numbers.setdefault(key, len(numbers) + 1)
                lines.append(f"«{quote.text}» [{n}]")
        best_by_post: dict[str, float] = {}
        for hit in hits:
            best_by_post[hit.passage.slug] = max(best_by_post.get(hit.passage.slug, 0), hit.score)
        sources = []
        for slug, location in numbers:
            post = self.index.knowledge.post(slug)
            score = round(best_by_post.get(slug, 0.0), 4)
            sources.append(source_out(post, location, score))
        return AskResult(
            question=question,
            answered=True,
            answer="\n".join(lines),
            sources=sources,
            language=lang,
        )

    def named_absent(
        self, question: str, lang: Language, named: tuple[str, Passage], hits: list[Hit]
    ) -> AskResult:
        """Decline a question about a course name, saying where the course mentions it."""
        name, where = named
        post = self.index.knowledge.post(where.slug)
        related = self.related_topics(lang, hits)
        text = self.strings.t(
            lang,
            "ask.named_absent",
            name=display_name(name, where.text),
            title=post.title,
            topics=", ".join(post.topics(lang)[:3]) or post.title,
        )
        return AskResult(
            question=question, answered=False, answer=text, related=related, language=lang
        )

    def related_topics(self, lang: Language, hits: list[Hit], limit: int = 4) -> list[str]:
        """Return the topics of the posts closest to a question (or of the course as a whole)."""
        slugs = list(dict.fromkeys(h.passage.slug for h in hits))
        for post in self.index.knowledge.posts:
            if len(slugs) >= 3:
                break
            if post.slug not in slugs:
                slugs.append(post.slug)
        topics: list[str] = []
        for slug in slugs[:3]:
            topics.extend(self.index.knowledge.post(slug).topics(lang)[:2])
        return list(dict.fromkeys(topics))[:limit]

    def decline(self, question: str, lang: Language, hits: list[Hit]) -> AskResult:
        related = self.related_topics(lang, hits)
        text = self.strings.t(lang, "ask.not_covered")
        if related:
            text += " " + self.strings.t(lang, "ask.related", topics=", ".join(related))
        return AskResult(
            question=question, answered=False, answer=text, related=related, language=lang
        )


def display_name(word: str, text: str) -> str:
    """Return a name as the course writes it ('clara shih' -> 'Clara Shih')."""
    found = re.search(r"\b" + r"\s+".join(map(re.escape, word.split())) + r"\b", text, re.I)
    return found.group(0) if found else word


__all__ = ["Replies", "display_name"]
