"""Tables and lists in a plan's text, read as rows that keep their headers.

Plans flatten their tables to text: cells separated by tabs or " | " (HTML and Word tables as extract.py writes
them, Markdown tables), cells aligned with runs of spaces (PDF text), runs of 「項目：値」 pairs on one line (a KPI
cell: 「電子申請の活用促進：電子申請利用係80%以上 マイナンバーカードの普及・活用検討：マイナンバーカード保有率85%以上」)
and short lists under a question (a survey's 「1位：広報おやま」 or 「スマートフォン 51.3%」). Cut as prose, a row loses
its column names and its question. `read` finds these blocks among a section's lines and renders each row as
「見出し：値 ／ 見出し：値」 under the table's caption, so a row can be found and cited on its own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

SEPARATOR = " ／ "  # between the cells of a rendered row
PAIR = "："  # between a header (or a key) and its value
CAPTION_MAX = 40  # a longer line is a sentence, not the caption of a table
HEADER_CELL = 25  # a header cell is a name, not a sentence
NARROW = 8  # the two cells of a two-column header are this short (施策概要 | 担当課)
KEY_MAX = 40  # characters of the key in a 「項目：値」 pair
LIST_MIN = 3  # lines of 「項目：値」 that make a list (two: 「手数料: 300円」 and 「標準処理期間: 5日」 stay prose)

COLON = re.compile(r"[ \t\u3000]*(?:：|(?<![A-Za-z0-9]):(?!//))[ \t\u3000]*")  # not https://, 10:00, CIO:
BULLET = re.compile(r"^(?:[-・•●○〇◯▪■◆☑✓]|\d{1,2}[.．)）、](?!\d)|[①-⑳]|[(（]\d{1,2}[)）])[ \t\u3000]*")
RANK = re.compile(r"^(\d{1,2}位)(?:[ \t\u3000]+|：)(\S.*)$")  # 1位 広報おやま, 1位：広報おやま
PERCENT = re.compile(r"\d(?:[.,]\d+)?[ \t\u3000]*[%％][)）]?$")  # … 51.3%
MARKDOWN_RULE = re.compile(r"^\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?$")
DASHES = re.compile(r"^[-‐ー－=]{3,}$")
SPACED = re.compile(r"[ \u3000]{2,}")  # cells of a PDF's text layer, aligned with spaces
PERIOD = re.compile(r"^(?:(?:令和|平成|R|H)\s*\d{1,2}|\d{4}|\d{1,2}\s*-\s*\d{1,2}月|\d{1,2}月)")
KPI_WORDS = re.compile(r"指標|目標|成果|KPI|達成", re.IGNORECASE)
SCHEDULE_WORDS = re.compile(r"スケジュール|工程|ロードマップ|年次計画")
# Words a question uses for what a table holds, which its rows do not say: 「…の目標は」 for a row of 初年度指標 /
# 目指す成果, 「いつ…」 for a row of a 工程表 under R8 | R9 | R10.
TOPIC_WORDS = {"kpi": ("目標", "指標", "KPI", "成果"), "schedule": ("スケジュール", "時期", "予定", "工程", "いつ")}
VALUE = re.compile(r"[0-9０-９.,，%％円件人]+")  # 1, 500円, 47.1%: a value
NOTE = re.compile(r"^(?:※|\^\{?\*|\*)")  # a footnote: 「※1 RPA : …」 is no row of a table


@dataclass
class Table:
    """A table as it is read: its caption (the line naming it, or a caption row of a grid) and its rendered rows.
    `whole`: a list under one question (a survey's answers), kept together; else each row is a passage."""

    caption: str = ""
    rows: list[str] = field(default_factory=list)
    whole: bool = False
    header: list[str] = field(default_factory=list)  # the names of the columns, when the table has them

    @property
    def words(self) -> tuple[str, ...]:
        """Words for what the table holds (TOPIC_WORDS), from its caption and column names: targets (指標, 目標値,
        成果) or a schedule (スケジュール, 工程, columns of years)."""
        names = " ".join([self.caption, *self.header])
        found: list[str] = []
        if KPI_WORDS.search(names):
            found += TOPIC_WORDS["kpi"]
        periods = sum(bool(PERIOD.match(unicodedata.normalize("NFKC", name))) for name in self.header if name)
        if SCHEDULE_WORDS.search(names) or periods >= 2:
            found += TOPIC_WORDS["schedule"]
        return tuple(found)

    def passages(self, limit: int) -> list[str]:
        """The texts of the table's passages: its caption, then one row (or as much of the whole list as fits in
        `limit`). A row longer than `limit` is left for the caller to cut."""
        head = f"{self.caption}\n" if self.caption else ""
        if not self.whole:
            return [head + row for row in self.rows]
        pieces = [""]
        for row in self.rows:
            if pieces[-1] and len(head) + len(pieces[-1]) + len(row) + 1 > limit:
                pieces.append("")
            pieces[-1] += ("\n" if pieces[-1] else "") + row
        return [head + piece for piece in pieces]


def read(lines: list[str]) -> list[str | Table]:
    """The section's lines as prose (a text) and tables, in order. Lines that are no table are kept as they are."""
    out: list[str | Table] = []
    prose: list[str] = []
    index = 0
    while index < len(lines):
        grid = _grid_rows(lines, index)
        if grid and _contents(grid):
            prose.extend(lines[index:index + len(grid)])
            index += len(grid)
            continue
        if grid:
            caption = _take_caption(prose)
            out.extend(_flush(prose))
            out.extend(_grid(grid, caption))
            index += len(grid)
            continue
        run, end = _pair_run(lines, index)
        if run:
            caption = _take_caption(prose)
            out.extend(_flush(prose))
            out.append(Table(caption, run))
            index = end
            continue
        items, end = _list(lines, index)
        if items:
            caption = _take_caption(prose)
            out.extend(_flush(prose))
            out.append(Table(caption, items, whole=True))
            index = end
            continue
        prose.append(lines[index])
        index += 1
    out.extend(_flush(prose))
    return out


def pairs(text: str) -> list[tuple[str, str]]:
    """The 「項目：値」 pairs of a run written on one line (「A：1件以上 B：月10回」), [] if it is not such a run.
    A word without a colon continues the value before it (「完了率 100%」); bullets between pairs are dropped."""
    tokens = [token for token in re.split(r"[ \t\u3000]+", COLON.sub(PAIR, text.strip())) if token]
    found: list[list[str]] = []
    for token in tokens:
        if re.fullmatch(r"[・•\-–]+", token):
            continue
        token = token.lstrip("・•")
        if PAIR in token:
            key, value = token.split(PAIR, 1)
            if not key or len(key) > KEY_MAX:
                return []
            found.append([key, value])
        elif found:
            found[-1][1] += (" " if found[-1][1] else "") + token
        else:
            return []  # words before the first pair: a sentence that has a colon in it
    if any(not value for _, value in found):
        return []
    return [(key, value) for key, value in found]


# Grids: rows of cells ------------------------------------------------------------------------------------------------

def _cells(line: str) -> list[str] | None:
    """The cells of a table row (tab, " | " or wide-space separated), None for a line that is no row."""
    if "\t" in line:
        return [" ".join(cell.split()) for cell in line.split("\t")]
    if "|" in line:
        body = line.strip()
        if body.startswith("|"):
            body = body[1:-1] if body.endswith("|") and len(body) > 1 else body[1:]
        cells = [" ".join(cell.split()) for cell in body.split("|")]
        return cells if len(cells) >= 2 else None
    stripped = line.strip()
    if len(SPACED.findall(stripped)) >= 2:
        return [" ".join(cell.split()) for cell in SPACED.split(stripped)]
    return None


def _grid_rows(lines: list[str], start: int) -> list[list[str]]:
    """The rows of a grid starting at `start`: at least two consecutive rows of the same kind (tab, pipe, spaces;
    three for spaces), else []."""
    kind = _kind(lines[start])
    if kind is None:
        return []
    rows = []
    for line in lines[start:]:
        cells = _cells(line) if _kind(line) == kind else None
        if cells is None:
            break
        rows.append(cells)
    return rows if len(rows) >= (3 if kind == "spaces" else 2) else []


def _kind(line: str) -> str | None:
    if not line.strip():
        return None
    if "\t" in line:
        return "tab"
    if "|" in line and _cells(line) is not None:
        return "pipe"
    return "spaces" if _cells(line) is not None else None


@dataclass
class _Grid:
    """The state of a grid as its rows are read: the current caption and header, the tables made so far."""

    tables: list[Table]
    header: list[str] | None = None
    header_used: bool = False  # a row was read under the current header
    spans: bool = False  # the header's first row had one cell: a bar across the header's columns (工程表)
    label: str = ""  # the last first cell, for rows that leave it empty (a merged cell)

    @property
    def table(self) -> Table:
        return self.tables[-1]

    def caption(self, text: str) -> None:
        self.close()
        if self.table.rows:
            self.tables.append(Table(text))
        else:  # the line above the grid, then the grid's own caption row: both name the rows below
            self.table.caption = "\n".join(part for part in (self.table.caption, text) if part)
        self.header, self.header_used, self.spans, self.label = None, False, False, ""

    def close(self) -> None:
        """A header that no row followed is a row itself (「趣旨 | ガイドライン中の用語の意味等を解説」)."""
        if self.header is not None and not self.header_used:
            self.table.rows.append(_plain_row(self.header))
        self.header, self.header_used = None, False


def _grid(rows: list[list[str]], caption: str) -> list[Table]:
    """Tables of one grid: a row with a single short cell in the first column captions what follows (the slide's
    「主な取組内容」, 「取組内容とスケジュール」); a row of short names is the header of the rows below it."""
    state = _Grid([Table(caption)])
    width = max(len(row) for row in rows)
    marked = {index - 1 for index, row in enumerate(rows) if index and _is_rule(row)}
    for index, row in enumerate(rows):
        filled = [(column, cell) for column, cell in enumerate(row) if cell]
        following = next((r for r in rows[index + 1:] if any(r) and not _is_rule(r)), None)
        if not filled or _is_rule(row):
            continue
        if len(filled) == 1 and filled[0][0] == 0 and _caption_row(state, filled[0][1], following):
            state.caption(filled[0][1])
            continue
        if state.header is None and (index in marked or _header(filled, width, following, not state.table.rows)):
            state.header, state.header_used = row, False
            state.table.header.extend(cell for cell in row if cell)
            continue
        if state.header is not None:
            if len(filled) == 1 and not state.header_used:
                state.spans = filled[0][0] == 0 and _periods(state.header)
            state.header_used = True
            state.table.rows.append(_header_row(state, row))
        else:
            state.table.rows.extend(_free_rows(state, row))
    state.close()
    return [table for table in state.tables if table.rows]


def _contents(rows: list[list[str]]) -> bool:
    """A table of contents (目次: title, page number) is no table of the plan's content."""
    ends = [next(cell for cell in reversed(row) if cell) for row in rows if any(row)]
    return sum(bool(re.fullmatch(r"[0-9０-９]{1,3}|[pP]\.?\s*[0-9]{1,3}", cell)) for cell in ends) * 2 >= len(ends)


def _is_rule(row: list[str]) -> bool:
    filled = [cell for cell in row if cell]
    return bool(filled) and all(MARKDOWN_RULE.match(cell) or DASHES.match(cell) for cell in filled)


def _caption_row(state: _Grid, text: str, following: list[str] | None) -> bool:
    """Whether a row of one short cell names the rows below it (rather than being a row itself)."""
    if following is None or len(text) > CAPTION_MAX or text.endswith("。"):
        return False
    if state.header is not None:
        return state.header_used and not state.spans  # a header's first row of one cell: a bar, and bars follow
    cells = [cell for cell in following if cell]
    if not state.table.rows and state.table.caption:  # the caption's own content, unless column names follow
        return len(cells) >= 3 and all(len(cell) <= HEADER_CELL and not VALUE.fullmatch(cell) for cell in cells)
    return len(cells) >= 2 or len(pairs(cells[0])) >= 2 or len(cells[0].split()) >= 2


def _header(filled: list[tuple[int, str]], width: int, following: list[str] | None, first: bool) -> bool:
    """Whether a row is a header: names (short, no sentence) over most columns, with rows below; two columns only
    for the table's first row, when both names are very short and the row below holds longer text (施策概要 | 担当課,
    区分 | 内容)."""
    if following is None or len(filled) < 2:
        return False
    cells = [cell for _, cell in filled]
    if any(len(cell) > HEADER_CELL or cell.endswith("。") or len(pairs(cell)) >= 2 or VALUE.fullmatch(cell)
           for cell in cells):
        return False  # a sentence, pairs or a number is a value, not a column's name
    if len(filled) == 2:
        longest = max(len(cell) for cell in cells)
        return (first and longest <= NARROW
                and any(len(cell) > max(12, 2 * longest) for cell in following))
    return len(filled) * 2 >= width


def _periods(header: list[str]) -> bool:
    cells = [cell for cell in header if cell]
    return len(cells) >= 3 and all(PERIOD.match(unicodedata.normalize("NFKC", cell)) for cell in cells)


def _header_row(state: _Grid, row: list[str]) -> str:
    """「取組内容：電子決裁システムの導入 ／ R8：システム整備 ／ R9：財務連携検討」; a bar across a header of periods
    reads 「2026年度～2030年度：…」; an empty first cell repeats the one above it (a merged cell). Under two
    columns' names, a row named by a short first cell reads 「対象：町内在住の方」."""
    header = state.header or []
    filled = [(column, cell) for column, cell in enumerate(row) if cell]
    if state.spans and len(filled) == 1 and filled[0][0] == 0:
        names = [cell for cell in header if cell]
        return f"{names[0]}～{names[-1]}{PAIR}{filled[0][1]}"
    if len([cell for cell in header if cell]) == 2 and len(filled) == 2 and len(filled[0][1]) <= NARROW:
        return _plain_row(row)  # 区分 | 内容 over 対象 | 町内在住の方: the first column names the row
    cells = list(row)
    if cells and not cells[0] and state.label and len(filled) >= 1:
        cells[0] = state.label
    elif cells and cells[0]:
        state.label = cells[0]
    parts = []
    for column, cell in enumerate(cells):
        if not cell:
            continue
        name = header[column] if column < len(header) else ""
        parts.append(f"{name}{PAIR}{cell}" if name else cell)
    return SEPARATOR.join(parts)


def _free_rows(state: _Grid, row: list[str]) -> list[str]:
    """Rows of a grid without a header: 「期間：令和4~令和8年度」 for two cells (the first one repeated when it is
    left empty beside a single cell), and a cell holding 「項目：値」 pairs gives a row per pair, after the row's
    other cells."""
    cells = list(row)
    if cells and not cells[0] and state.label and sum(map(bool, cells)) == 1:
        cells[0] = state.label
    elif cells and cells[0]:
        state.label = cells[0]
    filled = [cell for cell in cells if cell]
    runs = [(position, found) for position, cell in enumerate(filled) if len(found := pairs(cell)) >= 2]
    if runs:
        rows: list[str] = []
        for position, found in runs:
            before = [cell for index, cell in enumerate(filled[:position]) if not any(index == p for p, _ in runs)]
            rows.extend(SEPARATOR.join([*before, f"{key}{PAIR}{value}"]) for key, value in found)
        return rows
    return [_plain_row(filled)]


def _plain_row(cells: list[str]) -> str:
    filled = [cell for cell in cells if cell]
    if len(filled) == 2 and len(filled[0]) <= KEY_MAX:
        return f"{filled[0]}{PAIR}{filled[1]}"
    return SEPARATOR.join(filled)


# Lines: runs of pairs, lists under a question ---------------------------------------------------------------------

def _pair_run(lines: list[str], start: int) -> tuple[list[str], int]:
    """Rows of consecutive lines each holding two or more 「項目：値」 pairs (a KPI cell), and the index after them."""
    rows: list[str] = []
    index = start
    while index < len(lines) and not NOTE.match(lines[index].strip()):
        found = pairs(lines[index])
        if len(found) < 2:
            break
        rows.extend(f"{key}{PAIR}{value}" for key, value in found)
        index += 1
    return rows, index


def _list(lines: list[str], start: int) -> tuple[list[str], int]:
    """Items of a list that answers one question: lines (all one blank line apart, or none) each a 「項目：値」
    pair with a short key and no sentence (three or more), or two or more ranks (「1位 広報おやま」) or answers with
    their share (「スマホ 51.3%」); a note in brackets among them stays with them."""
    items: list[str] = []
    count, answers, index, end = 0, 0, start, start
    spaced: bool | None = None  # items one blank line apart; then every gap is one blank line
    while index < len(lines):
        line = lines[index].strip()
        gap = index > start and not lines[index - 1].strip()
        if not line:
            if items and index + 1 < len(lines) and lines[index + 1].strip() and spaced is not False:
                index += 1
                continue
            break
        if items and spaced is None:
            spaced = gap
        elif items and gap != spaced:
            break
        item = _item(line)
        if item is None:
            note = BULLET.sub("", line, count=1)
            if not items or note[:1] not in "(（" or len(note) > 80:
                break
            item = note  # 「(すべての年代で、上記の3つがトップ3にランクイン)」, 「(CIO:…)」 under 「会長:総務課長」
        else:
            count += 1
            answers += bool(RANK.match(item) or PERCENT.search(item))
        items.append(item)
        index += 1
        end = index
    enough = count >= LIST_MIN or (count >= 2 and answers == count)
    return (items, end) if enough else ([], start)


def _item(line: str) -> str | None:
    if NOTE.match(line):
        return None
    body = line
    while True:  # 「- ・」, 「 - 」: list marks, possibly two
        stripped = BULLET.sub("", body, count=1)
        if stripped == body:
            break
        body = stripped
    if not body or len(body) > 80:
        return None
    rank = RANK.match(body)
    if rank:
        return f"{rank.group(1)}{PAIR}{rank.group(2)}"
    found = pairs(body)
    if len(found) == 1 and len(found[0][0]) <= 20 and "。" not in found[0][1]:
        return f"{found[0][0]}{PAIR}{found[0][1]}"
    if PERCENT.search(body) and body != line.strip() and not body.endswith("。"):
        return body  # a list item ending with a share
    return None


# Prose between tables ----------------------------------------------------------------------------------------------

def _take_caption(prose: list[str]) -> str:
    """The line just above a table (a blank line between allowed) when it names it: short, not indented, no
    sentence, no list item; taken out of the prose."""
    index = len(prose) - 1
    if index >= 0 and not prose[index].strip():
        index -= 1
    if index < 0:
        return ""
    text = prose[index].strip()
    norm = unicodedata.normalize("NFKC", text)
    if prose[index][:1].isspace():
        return ""  # an indented line is content (the items under 「主な取組内容」), not a title
    if (not text or len(norm) > CAPTION_MAX or norm.endswith("。") or BULLET.match(text) or NOTE.match(text)
            or len(pairs(text)) >= 2):
        return ""
    del prose[index:]
    return " ".join(text.split())


def _flush(prose: list[str]) -> list[str | Table]:
    text = "\n".join(line.rstrip() for line in prose).strip("\n")
    prose.clear()
    text = re.sub(r"\n{3,}", "\n\n", text)
    return [text] if text.strip() else []
