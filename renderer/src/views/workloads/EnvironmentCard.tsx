// The components' environment (wasi:cli/environment): `env` in .wash/studio.yaml, the same
// for every component of the project. An edit of it rebuilds, so the components start again
// with the new values.
export function EnvironmentCard({ environment, settingsPath }: { environment: [string, string][]; settingsPath: string | undefined }) {
  const file = <code className="path">{settingsPath ? '.wash/studio.yaml' : 'studio.yaml'}</code>;
  return (
    <section className="card environment-card" aria-label="Environment">
      <h3>Environment</h3>
      {environment.length === 0 ? (
        <p className="muted small">
          No environment variables: set them under <code>env:</code> in {file} (for example <code>GRPC_SERVER_URI</code>), and every component reads them with <code>wasi:cli/environment</code>.
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
