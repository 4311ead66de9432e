// Each track's player drives its own article: the chapter being played, the line being said
// (announced politely to screen readers), and the hold being held, counted down.
"use strict";
const players = [];

for (const track of document.querySelectorAll("article.track")) {
  const audio = track.querySelector("audio");
  const now = track.querySelector(".now");
  const hold = track.querySelector(".hold");
  const left = hold.querySelector(".left");
  const bar = hold.querySelector("progress");
  const holds = JSON.parse(track.dataset.holds);
  const chapters = [...track.querySelectorAll(".chapters button")];
  const lines = [...track.querySelectorAll(".words li")];
  const words = track.querySelector(".words ol");
  const startOf = (element) => Number(element.dataset.start);
  // The last of `items` (in time order) that has started by `t`.
  const current = (items, t) => items.findLast((item) => startOf(item) <= t + 0.01) ?? null;
  const mark = (items, chosen) => {
    for (const item of items) {
      if (item === chosen) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    }
  };
  let shown = null;
  let heard = false; // played or moved by the listener

  const update = () => {
    const t = audio.currentTime;
    mark(chapters, current(chapters, t));
    const line = current(lines, t);
    if (line !== shown) {
      shown = line;
      mark(lines, line);
      if (heard) now.textContent = line ? line.lastElementChild.textContent : ""; // (nothing to announce before it plays)
      if (line && words) words.scrollTop = line.offsetTop - words.offsetTop - words.clientHeight / 3;
    }
    const held = holds.find(([start, end]) => start <= t && t < end);
    hold.hidden = !held;
    if (held) {
      const [start, end] = held;
      left.textContent = track.dataset.holdLeft.replace("{n}", Math.ceil(end - t - 0.05));
      bar.value = (t - start) / (end - start);
    }
  };
  const tick = () => {
    update();
    if (!audio.paused) requestAnimationFrame(tick);
  };

  for (const button of chapters) {
    button.addEventListener("click", () => {
      audio.currentTime = startOf(button);
      update();
      audio.play().catch(() => {}); // (a browser may refuse to play before the page is touched)
    });
  }
  for (const event of ["play", "seeking"]) audio.addEventListener(event, () => { heard = true; shown = undefined; });
  audio.addEventListener("play", () => {
    for (const other of players) if (other !== audio) other.pause(); // one voice at a time
    requestAnimationFrame(tick);
  });
  for (const event of ["seeked", "timeupdate", "loadedmetadata"]) audio.addEventListener(event, update);
  players.push(audio);
}
