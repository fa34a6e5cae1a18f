"""Course knowledge: the posts and their passages, and everything loaded from the data files.

posts.py   Markdown posts with front matter, split into located passages
bundle.py  the loaded bundle (posts, index, word lists, steps, texts) and its disk cache
"""

from bot.core.knowledge.posts import (
    KnowledgeBase,
    Passage,
    Post,
    PostMeta,
    load_knowledge,
    split_passages,
)

__all__ = ["KnowledgeBase", "Passage", "Post", "PostMeta", "load_knowledge", "split_passages"]
