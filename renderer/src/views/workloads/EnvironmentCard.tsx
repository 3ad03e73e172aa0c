// The components' environment (wasi:cli/environment): `env` in .wash/studio.yaml, the same
// for every component of the project. An edit of it rebuilds, so the components start again
// with the new values.
export function EnvironmentCard({ environment, servedFile }: { environment: [string, string][]; servedFile: boolean }) {
  const file = <code className="path">.wash/studio.yaml</code>;
  return (
    <section className="card environment-card" aria-label="Environment">
      <h3>Environment</h3>
      {servedFile ? (
        // A .wasm file served alone has no project, so no studio.yaml to hold an `env:`.
        <p className="muted small">
          A <code>.wasm</code> file served alone gets no environment variables. To give it some, open a project folder whose <code>build.component_path</code> in <code>.wash/config.yaml</code> names the file, and set them under <code>env:</code> in its {file}.
        </p>
      ) : environment.length === 0 ? (
        <p className="muted small">
          No environment variables: set them under <code>env:</code> in {file} (for example <code>LOG_LEVEL: debug</code>), and every component reads them with <code>wasi:cli/environment</code>.
        </p>
      ) : (
        <>
          <table className="environment" data-testid="environment">
            <tbody>
              {environment.map(([name, value]) => (
                <tr key={name}>
                  <th>
                    <code>{name}</code>
                  </th>
                  <td>
                    <code className="env-value">{value}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">From <code>env:</code> in {file}, for every component of the project. Editing it rebuilds, from the cache, so the components start with the new values.</p>
        </>
      )}
    </section>
  );
}
