// Every page a class can follow (the step player, the lessons, training) loads this: it shows "Start class",
// leads the class this tab started, or follows the class this tab joined (?class=CODE in the address).

import { ready } from "../core/shell.js";
import { seats } from "./api.js";

async function main() {
  await ready;
  const joined = new URLSearchParams(location.search).get("class");
  const student = seats.student();
  const teacher = seats.teacher();
  const button = document.querySelector("[data-testid=classroom-start]");
  if (joined && student && student.code === joined.toUpperCase()) {
    button?.remove(); // a student's page never offers to lead
    const { follow } = await import("./student.js");
    follow(student.code, student.token);
    return;
  }
  if (teacher) {
    const { lead } = await import("./teacher.js");
    lead(teacher.code, teacher.token);
    if (button) button.hidden = true;
  }
  button?.addEventListener("click", async () => {
    const { startClass } = await import("./teacher.js");
    await startClass(button);
    if (seats.teacher()) button.hidden = true;
  });
}

main();
