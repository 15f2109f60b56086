// Entry point: styles, then the shell.
import "./styles.css";
import { start } from "./shell";

const root = document.getElementById("app");
if (root === null) throw new Error("index.html has no #app element");
start(root);
